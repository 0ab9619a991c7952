import { ref } from 'vue';
import type { InstallResultFieldsFragment } from '../generated/graphql';

/**
 * The last install's answer, kept for the extension's page: an import runs on the Extensions page and then
 * opens the extension, which shows what was installed or upgraded and what needs configuring or authorizing.
 */
const last = ref<InstallResultFieldsFragment | null>(null);

export function useInstallOutcome() {
  return {
    last,
    record: (r: InstallResultFieldsFragment) => (last.value = r),
    /** The outcome for this extension, once: a later visit to its page starts clean. */
    take(extensionId: string): InstallResultFieldsFragment | null {
      const r = last.value?.extension.id === extensionId ? last.value : null;
      last.value = null;
      return r;
    },
  };
}
