import { deriveLinkName, linkNameProblem, sanitizeLinkNameInput } from './linkName';

describe('deriveLinkName', () => {
  test.each([
    ['GitHub', 'github'],
    ['My GitHub (work)', 'my_github_work'],
    ['  Crème brûlée API  ', 'creme_brulee_api'],
    ['Slack -- alerts!!', 'slack_alerts'],
    ['___', ''],
    ['', ''],
    ['日本語', ''],
    ['a'.repeat(60), 'a'.repeat(50)],
  ])('%j -> %j', (name, expected) => {
    expect(deriveLinkName(name)).toBe(expected);
  });

  test('never ends with an underscore after truncation', () => {
    const name = 'x'.repeat(49) + ' y';
    expect(deriveLinkName(name)).toBe('x'.repeat(49));
  });
});

describe('linkNameProblem', () => {
  test('accepts [a-z0-9_] up to 50', () => {
    expect(linkNameProblem('github_2')).toBeNull();
    expect(linkNameProblem('a'.repeat(50))).toBeNull();
  });
  test('explains what is wrong', () => {
    expect(linkNameProblem('')).toMatch(/Enter a link name/);
    expect(linkNameProblem('a'.repeat(51))).toMatch(/50/);
    expect(linkNameProblem('GitHub')).toMatch(/lower-case/);
  });
});

test('sanitizeLinkNameInput keeps what the API accepts', () => {
  expect(sanitizeLinkNameInput('My-Link Name!')).toBe('my_link_name');
});
