import { describeError, type CombinedErrorLike } from './errors';

/**
 * Extension manifests as files: the name an exported one is saved under, reading an uploaded one, and the
 * problems the API found in it, each with its path inside the document. The document's shape is the API's
 * (`exportExtension` writes it, `installExtension(manifest)` checks it); the console only carries it.
 */

/** Big enough for any real extension; a larger file is almost certainly not a manifest. */
export const MANIFEST_MAX_BYTES = 1_000_000;

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'extension';

/** e.g. `reporting-1.2.0.extension.json`. */
export function manifestFileName(ext: {
  key?: string | null;
  name: string;
  version?: string | null;
}): string {
  const version = ext.version ? `-${slug(ext.version).replace(/-/g, '.')}` : '';
  return `${slug(ext.key || ext.name)}${version}.extension.json`;
}

/** Pretty-printed, with a final newline: a file people may read, diff and commit. */
export const manifestText = (manifest: Record<string, unknown>): string =>
  `${JSON.stringify(manifest, null, 2)}\n`;

export type ParsedManifest =
  { ok: true; manifest: Record<string, unknown>; summary: ManifestSummary } | { ok: false; message: string };

export interface ManifestSummary {
  name: string | null;
  version: string | null;
  connections: number | null;
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : null);

/** Reads an uploaded file's text. Only "is it a JSON object" is checked here; the API checks the rest. */
export function parseManifest(text: string, size = text.length): ParsedManifest {
  if (size > MANIFEST_MAX_BYTES)
    return { ok: false, message: 'This file is too large to be an extension manifest (over 1 MB).' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `This file is not valid JSON (${(e as Error).message}).` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    return { ok: false, message: 'An extension manifest is a JSON object; this file holds something else.' };
  const m = value as Record<string, unknown>;
  return {
    ok: true,
    manifest: m,
    summary: {
      name: str(m.name),
      version: str(m.version),
      connections: Array.isArray(m.connections) ? m.connections.length : null,
    },
  };
}

export interface ManifestProblem {
  /** Where in the document, e.g. `connections.2.service.custom.accessTokenUrl`; empty for the whole file. */
  path: string;
  message: string;
}

/** The API names fields from the mutation's arguments (`manifest.…`); the file's reader wants the path in it. */
const inDocument = (field: string) => field.replace(/^(input\.)?manifest\.?/, '');

/** Every problem the API reported, each with its path in the manifest; never an empty list for an error. */
export function manifestProblems(error: CombinedErrorLike | null | undefined): ManifestProblem[] {
  if (!error) return [];
  const out: ManifestProblem[] = [];
  const seen = new Set<string>();
  const add = (path: string, message: string) => {
    const k = `${path}\n${message}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ path, message });
  };
  for (const e of error.graphQLErrors) {
    const problems = e.extensions?.problems;
    if (Array.isArray(problems))
      for (const p of problems as { field?: unknown; message?: unknown }[])
        if (typeof p.message === 'string')
          add(typeof p.field === 'string' ? inDocument(p.field) : '', p.message);
    const d = describeError({ graphQLErrors: [e] })!;
    if (!Array.isArray(problems) || !problems.length) add(d.field ? inDocument(d.field) : '', d.message);
  }
  if (!out.length) add('', describeError(error)!.message);
  return out;
}
