import express, { type Request, type Response } from 'express';
import { listen, type RunningServer } from './http';

export interface SeenRequest {
  authorization?: string;
  form: Record<string, string>;
}

export interface ScriptedTokenEndpoint extends RunningServer {
  /** What the next requests get; a function of the request so tests can inspect it. */
  respond: (req: Request, res: Response) => void;
  seen: SeenRequest[];
}

/**
 * A token endpoint whose answers each test scripts: the failure modes (5xx, 429, HTML, missing
 * fields, hanging) that a conforming server such as oidc-provider never produces on demand.
 */
export async function startTokenEndpoint(): Promise<ScriptedTokenEndpoint> {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  const endpoint = {
    respond: (_req: Request, res: Response) => void res.status(500).end(),
    seen: [] as SeenRequest[],
  };
  // Approves at once, or sends the error named by the `fail` authorize parameter back to the client.
  app.get('/authorize', (req, res) => {
    const back = new URL(String(req.query.redirect_uri));
    back.searchParams.set('state', String(req.query.state));
    if (req.query.fail) back.searchParams.set('error', String(req.query.fail));
    else back.searchParams.set('code', 'scripted-code');
    res.redirect(back.toString());
  });
  app.post('/token', (req, res) => {
    endpoint.seen.push({
      authorization: req.headers.authorization,
      form: { ...(req.body as Record<string, string>) },
    });
    endpoint.respond(req, res);
  });
  const server = await listen(app);
  return Object.assign(endpoint, server);
}
