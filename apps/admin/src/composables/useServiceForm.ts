import { computed, reactive, ref, watch } from 'vue';
import type { AuthType, OAuth2GrantType } from '../generated/graphql';
import { fieldErrorsOf, type CombinedErrorLike } from '../lib/errors';
import {
  fieldOfApiError,
  fieldRules,
  validateDraft,
  type CustomServiceDraft,
  type FieldErrors,
  type FormMode,
  type ServiceField,
} from '../lib/serviceForm';

/**
 * The custom-service form's state: the draft, the rules for its auth type, client-side errors (shown for a
 * field once it was left or the form was submitted) and the API's errors by field (cleared as the field is
 * edited).
 */
export function useServiceForm(initial: CustomServiceDraft, mode: FormMode, hasClientSecret = false) {
  const draft = reactive<CustomServiceDraft>({
    ...initial,
    scopes: [...initial.scopes],
    tokenParams: initial.tokenParams.map((r) => ({ ...r })),
  });
  const touched = reactive<Partial<Record<ServiceField, boolean>>>({});
  const submitted = ref(false);
  const apiErrors = ref<FieldErrors>({});
  const formError = ref<string | null>(null);

  const rules = computed(() => fieldRules(draft.authType, mode, hasClientSecret, draft.grantType));
  const clientErrors = computed(() => validateDraft(draft, mode, hasClientSecret));
  const errors = computed<FieldErrors>(() => {
    const out: FieldErrors = {};
    for (const [k, v] of Object.entries(clientErrors.value) as [ServiceField, string][])
      if (submitted.value || touched[k]) out[k] = v;
    return { ...out, ...apiErrors.value };
  });
  const valid = computed(() => Object.keys(clientErrors.value).length === 0);

  // An API error belongs to the value that caused it: editing the field clears it.
  for (const key of Object.keys(initial) as (keyof CustomServiceDraft)[])
    watch(
      () => draft[key],
      () => {
        if (apiErrors.value[key]) apiErrors.value = { ...apiErrors.value, [key]: undefined };
      },
      { deep: true },
    );

  function setAuthType(t: AuthType) {
    draft.authType = t;
    if (t === 'BASIC') draft.paramType = 'HEADERS';
    apiErrors.value = {};
  }

  function setGrantType(g: OAuth2GrantType) {
    draft.grantType = g;
    apiErrors.value = {};
  }

  /** Puts the API's errors on their fields; returns the message for errors that name no field. */
  function applyApiError(error: CombinedErrorLike | undefined, fallback: string | null): void {
    const byField = fieldErrorsOf(error);
    const mapped: FieldErrors = {};
    let unplaced = false;
    for (const [field, message] of Object.entries(byField)) {
      const f = fieldOfApiError(field);
      if (f) mapped[f] ??= message;
      else unplaced = true;
    }
    apiErrors.value = mapped;
    formError.value = Object.keys(mapped).length && !unplaced ? null : fallback;
  }

  return {
    draft,
    rules,
    errors,
    valid,
    touched,
    submitted,
    formError,
    setAuthType,
    setGrantType,
    applyApiError,
    touch: (f: ServiceField) => (touched[f] = true),
  };
}
