import { request } from 'undici';

export interface FormPage {
  url: string;
  status: number;
  location?: string;
  text: string;
  /** The response's header fields, names lower-cased. */
  headers: Record<string, string | string[] | undefined>;
}

/**
 * A browser for consent pages: a cookie jar per host name, redirects followed by hand, and the first form on
 * a page submitted by its button (name, or name=value). Enough for the sandbox's approve/deny pages.
 */
export class FormBrowser {
  private readonly jar = new Map<string, Map<string, string>>();

  private cookie(url: URL) {
    const c = this.jar.get(url.hostname);
    return c?.size ? [...c].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
  }

  private store(url: URL, header: string | string[] | undefined) {
    const cookies = this.jar.get(url.hostname) ?? new Map<string, string>();
    for (const line of Array.isArray(header) ? header : header ? [header] : []) {
      const [pair, ...attrs] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const expired = attrs.some(
        (a) =>
          /^\s*max-age=0/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()),
      );
      if (expired || !value) cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(url.hostname, cookies);
  }

  /** Starts with a cookie (`name=value`) for the host of `url`: a browser signed in to the console. */
  withCookie(url: string, cookie: string): this {
    this.store(new URL(url), cookie);
    return this;
  }

  async send(target: string, method = 'GET', form?: URLSearchParams): Promise<FormPage> {
    const url = new URL(target);
    const headers: Record<string, string> = {};
    const cookie = this.cookie(url);
    if (cookie) headers.cookie = cookie;
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await request(url, { method: method as 'GET', headers, body: form?.toString() });
    this.store(url, res.headers['set-cookie']);
    const text = await res.body.text();
    const location = res.headers.location ? new URL(String(res.headers.location), url).toString() : undefined;
    return { url: url.toString(), status: res.statusCode, location, text, headers: res.headers };
  }

  async follow(page: FormPage, maxHops = 20): Promise<FormPage> {
    for (let i = 0; i < maxHops && page.location; i++) page = await this.send(page.location);
    return page;
  }

  /** Submits the form that holds the button named `button` (its value too, when it has one). */
  async submit(page: FormPage, button: string): Promise<FormPage> {
    for (const [, attrs, inner] of page.text.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)) {
      const btn = new RegExp(`<button[^>]*name="${button}"(?:[^>]*value="([^"]*)")?`).exec(inner!);
      const valueBtn = new RegExp(`<button[^>]*name="([^"]+)"[^>]*value="${button}"`).exec(inner!);
      if (!btn && !valueBtn) continue;
      const form = new URLSearchParams();
      for (const m of inner!.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g))
        form.set(m[1]!, m[2]!);
      if (btn) form.set(button, btn[1] ?? '');
      else form.set(valueBtn![1]!, button);
      const action = /action="([^"]*)"/.exec(attrs!)?.[1] ?? '';
      return this.follow(await this.send(new URL(action, page.url).toString(), 'POST', form));
    }
    throw new Error(`no form with a "${button}" button on ${page.url}:\n${page.text.slice(0, 500)}`);
  }
}
