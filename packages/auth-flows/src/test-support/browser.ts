import { request } from 'undici';

export interface Page {
  url: string;
  status: number;
  location?: string;
  text: string;
}

/**
 * A minimal browser for flow tests: one cookie jar per host name (as browsers do, whatever the port)
 * and redirects followed by hand so a test can stop at any hop.
 */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  private cookiesFor(url: URL): string | undefined {
    const cookies = this.jar.get(url.hostname);
    if (!cookies || cookies.size === 0) return undefined;
    return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private store(url: URL, header: string | string[] | undefined): void {
    if (!header) return;
    const cookies = this.jar.get(url.hostname) ?? new Map<string, string>();
    for (const line of Array.isArray(header) ? header : [header]) {
      const [pair, ...attributes] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const expired = attributes.some(
        (a) =>
          /^\s*max-age=0/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()),
      );
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(url.hostname, cookies);
  }

  async get(target: string): Promise<Page> {
    const url = new URL(target);
    const cookie = this.cookiesFor(url);
    const res = await request(url, { method: 'GET', headers: cookie ? { cookie } : {} });
    this.store(url, res.headers['set-cookie']);
    const text = await res.body.text();
    const location = res.headers.location ? new URL(String(res.headers.location), url).toString() : undefined;
    return { url: url.toString(), status: res.statusCode, location, text };
  }

  /** Submits a form as a browser does: urlencoded, with this origin's cookies and its Origin header. */
  async post(target: string, form: Record<string, string>): Promise<Page> {
    const url = new URL(target);
    const cookie = this.cookiesFor(url);
    const res = await request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: url.origin,
        ...(cookie ? { cookie } : {}),
      },
      body: new URLSearchParams(form).toString(),
    });
    this.store(url, res.headers['set-cookie']);
    const text = await res.body.text();
    const location = res.headers.location ? new URL(String(res.headers.location), url).toString() : undefined;
    return { url: url.toString(), status: res.statusCode, location, text };
  }

  /**
   * The form of the API's confirmation page in front of a `?code=` authorization link, submitted as the
   * person holding the link would by pressing its button; null when the page is not that page.
   */
  async confirm(page: Page): Promise<Page | null> {
    if (page.status !== 200 || !page.text.includes('data-connections-confirm')) return null;
    const action = /<form[^>]*action="([^"]*)"/.exec(page.text)?.[1] ?? '';
    const fields = Object.fromEntries(
      [...page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1]!,
        m[2]!.replace(/&amp;/g, '&'),
      ]),
    );
    return this.post(new URL(action, page.url).toString(), fields);
  }

  /**
   * Follows redirects from `start` until `stop(url)` is true for the next location, or no redirect remains.
   * A confirmation page on the way is confirmed unless `confirm` is false.
   */
  async follow(
    start: string,
    stop: (url: string) => boolean = () => false,
    maxHops = 20,
    confirm = true,
  ): Promise<Page & { stoppedAt?: string }> {
    let page = await this.get(start);
    for (let hop = 0; hop < maxHops; hop += 1) {
      if (confirm) page = (await this.confirm(page)) ?? page;
      if (!page.location) break;
      if (stop(page.location)) return { ...page, stoppedAt: page.location };
      page = await this.get(page.location);
    }
    return page;
  }

  /** Sets a cookie as if a response on `url`'s host had set it (e.g. a session from a sign-in made elsewhere). */
  setCookie(url: string, cookie: string): void {
    this.store(new URL(url), cookie);
  }

  clearCookies(host: string): void {
    this.jar.delete(host);
  }
}
