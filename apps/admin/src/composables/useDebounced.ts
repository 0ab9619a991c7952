import { ref, watch, type Ref } from 'vue';

/** A copy of `source` that follows it `ms` after the last change (search boxes that query the API). */
export function useDebounced<T>(source: Ref<T>, ms = 250): Readonly<Ref<T>> {
  const out = ref(source.value) as Ref<T>;
  let timer: ReturnType<typeof setTimeout> | undefined;
  watch(source, (v) => {
    clearTimeout(timer);
    timer = setTimeout(() => (out.value = v), ms);
  });
  return out;
}
