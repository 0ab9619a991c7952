import { addedScopes, editDraftOf, nameProblem, reconnectPrompt, updateInput } from './connectionEdit';

const ADA = { id: 'ada', email: 'ada@example.com', displayName: 'Ada' };
const CONNECTION = { id: 'c1', name: 'CRM', scopes: ['read', 'write'], restriction: null };

describe('editing a connection', () => {
  test('nothing changed: nothing to send', () => {
    expect(updateInput(CONNECTION, editDraftOf(CONNECTION))).toBeNull();
    // The same scopes in another order, or a name with spaces around it, are not a change.
    expect(
      updateInput(CONNECTION, { ...editDraftOf(CONNECTION), name: ' CRM ', scopes: ['write', 'read'] }),
    ).toBeNull();
  });

  test('only the changed fields are sent, and never the link name', () => {
    expect(updateInput(CONNECTION, { ...editDraftOf(CONNECTION), name: 'CRM (sales)' })).toEqual({
      id: 'c1',
      name: 'CRM (sales)',
    });
    expect(
      updateInput(CONNECTION, { ...editDraftOf(CONNECTION), scopes: ['read', 'write', 'admin'] }),
    ).toEqual({
      id: 'c1',
      scopes: ['read', 'write', 'admin'],
    });
    expect(
      updateInput(CONNECTION, { ...editDraftOf(CONNECTION), access: { restricted: true, members: ['ada'] } }),
    ).toEqual({ id: 'c1', access: { restricted: true, members: ['ada'] } });
  });

  test('lifting a restriction sends restricted: false', () => {
    const restricted = { ...CONNECTION, restriction: { members: [ADA] } };
    expect(editDraftOf(restricted).access).toEqual({ restricted: true, members: ['ada'] });
    expect(
      updateInput(restricted, {
        ...editDraftOf(restricted),
        access: { restricted: false, members: ['ada'] },
      }),
    ).toEqual({ id: 'c1', access: { restricted: false } });
  });

  test('the owner and admins named in the draft do not make a change', () => {
    const implicit = new Set(['owner']);
    const draft = { ...editDraftOf(CONNECTION), access: { restricted: false, members: ['owner'] } };
    expect(updateInput(CONNECTION, draft, implicit)).toBeNull();
  });

  test('the name is checked before sending', () => {
    expect(nameProblem('  ')).toBe('Enter a name.');
    expect(nameProblem('x'.repeat(51))).toBe('At most 50 characters.');
    expect(nameProblem('CRM')).toBeNull();
  });

  test('added scopes are those the authorizations were not asked for', () => {
    expect(addedScopes(['read'], ['read', 'write', 'admin'])).toEqual(['write', 'admin']);
    expect(addedScopes(['read', 'write'], ['read'])).toEqual([]);
  });

  test('missing scopes become the reconnect prompt', () => {
    expect(reconnectPrompt(['write', 'admin'])).toBe('Reconnect to grant: write, admin');
    expect(reconnectPrompt([])).toBeNull();
    expect(reconnectPrompt(undefined)).toBeNull();
  });
});
