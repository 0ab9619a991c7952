import { createHash } from 'node:crypto';
import bundled from './generated/logos.json';
import references from './logos.json';

/**
 * The icon each catalog entry shows: catalog slug -> simple-icons slug (logos.json, reviewed by hand).
 * Entries absent there have no icon in the set (several brands asked simple-icons to remove theirs) and
 * show the letter avatar. generated/logos.json holds only those icons, bundled at build time.
 */
export const catalogLogos: Readonly<Record<string, string>> = references;

interface BundledIcon {
  title: string;
  hex: string;
  path: string;
}
const icons: Readonly<Record<string, BundledIcon>> = bundled;

export interface Logo {
  /** A standalone SVG document: the brand's path in its colour, titled for screen readers. */
  svg: string;
  /** Changes whenever the SVG does: a content hash for URLs that are cached for good. */
  version: string;
}

const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const cache = new Map<string, Logo | null>();

/** The logo of an icon named in logos.json (its simple-icons slug), or undefined when it is not bundled. */
export function logoOfIcon(iconSlug: string): Logo | undefined {
  if (!cache.has(iconSlug)) {
    const icon = Object.hasOwn(icons, iconSlug) ? icons[iconSlug] : undefined;
    cache.set(iconSlug, icon ? render(icon) : null);
  }
  return cache.get(iconSlug) ?? undefined;
}

function render(icon: BundledIcon): Logo {
  const title = escapeXml(icon.title);
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" role="img" aria-label="${title}">` +
    `<title>${title}</title><path fill="#${icon.hex}" d="${icon.path}"/></svg>`;
  return { svg, version: createHash('sha256').update(svg).digest('hex').slice(0, 12) };
}
