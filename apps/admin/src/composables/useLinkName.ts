import { ref, watch, type Ref } from 'vue';
import { deriveLinkName, sanitizeLinkNameInput } from '../lib/linkName';

/**
 * The link name follows the display name as it is typed, until the user edits the link name itself; from
 * then on it is theirs (clearing the field hands it back to the name). Immutable once saved: the form that
 * uses this is only for new connections.
 */
export function useLinkName(name: Ref<string>) {
  const linkName = ref(deriveLinkName(name.value));
  const edited = ref(false);
  watch(name, (n) => {
    if (!edited.value) linkName.value = deriveLinkName(n);
  });
  function setLinkName(value: string) {
    const clean = sanitizeLinkNameInput(value);
    if (!clean) {
      edited.value = false;
      linkName.value = deriveLinkName(name.value);
      return;
    }
    edited.value = true;
    linkName.value = clean;
  }
  function reset() {
    edited.value = false;
    linkName.value = deriveLinkName(name.value);
  }
  return { linkName, edited, setLinkName, reset };
}
