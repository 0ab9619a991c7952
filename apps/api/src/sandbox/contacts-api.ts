import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Caller, IdentifyCaller } from './caller';

interface Contact {
  id: string;
  name: string;
  email: string;
}

/** Each user's contacts, seeded with three on first use, kept in memory. */
function contactStore(): (user: string) => Contact[] {
  const contacts = new Map<string, Contact[]>();
  return (user) => {
    let list = contacts.get(user);
    if (!list) {
      list = [
        { id: 'c-1', name: 'Ada Lovelace', email: 'ada@example.test' },
        { id: 'c-2', name: 'Grace Hopper', email: 'grace@example.test' },
        { id: 'c-3', name: 'Alan Turing', email: 'alan@example.test' },
      ];
      contacts.set(user, list);
    }
    return list;
  };
}

/** Refuses a request without valid credentials; otherwise leaves the caller and raw body in res.locals. */
function authenticate(identify: IdentifyCaller) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const raw = typeof req.body === 'string' ? req.body : '';
    try {
      const who = await identify(req, raw);
      if ('problem' in who) {
        res.setHeader('www-authenticate', `Bearer error="invalid_token"`);
        return void res.status(401).json({ error: who.problem });
      }
      res.locals.caller = who;
      res.locals.raw = raw;
      next();
    } catch (e) {
      next(e);
    }
  };
}

function addContact(req: Request, res: Response, contactsOf: (user: string) => Contact[]) {
  const { user } = res.locals.caller as Caller;
  const raw = res.locals.raw as string;
  let fields: Record<string, unknown>;
  if ((req.headers['content-type'] ?? '').includes('json')) {
    try {
      fields = JSON.parse(raw || '{}');
    } catch {
      return void res.status(400).json({ error: 'invalid_json' });
    }
  } else fields = Object.fromEntries(new URLSearchParams(raw));
  const name = typeof fields.name === 'string' ? fields.name.slice(0, 100) : '';
  if (!name) return void res.status(400).json({ error: 'name is required' });
  const list = contactsOf(user);
  if (list.length >= 100)
    return void res.status(409).json({ error: 'the sandbox keeps 100 contacts at most' });
  const contact = {
    id: randomUUID(),
    name,
    email: typeof fields.email === 'string' ? fields.email.slice(0, 200) : '',
  };
  list.push(contact);
  res.status(201).json(contact);
}

/** The small protected "contacts" API, reachable with any of the sandbox's four kinds of credentials. */
export function contactsApi(identify: IdentifyCaller): Router {
  const contactsOf = contactStore();
  const api = express.Router();
  api.use(express.text({ type: '*/*', limit: '64kb' }), authenticate(identify));
  api.get('/me', (_req, res) => {
    const { user, via } = res.locals.caller as Caller;
    res.json({ id: user, name: 'Sandbox User', email: `${user}@sandbox.invalid`, authenticatedWith: via });
  });
  api.get('/contacts', (_req, res) => {
    const { user, via } = res.locals.caller as Caller;
    res.json({ authenticatedWith: via, contacts: contactsOf(user) });
  });
  api.post('/contacts', (req, res) => addContact(req, res, contactsOf));
  return api;
}
