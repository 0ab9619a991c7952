import { nextTick, ref } from 'vue';
import { useLinkName } from './useLinkName';

describe('useLinkName', () => {
  test('follows the name as it is typed', async () => {
    const name = ref('GitHub');
    const { linkName, edited } = useLinkName(name);
    expect(linkName.value).toBe('github');
    name.value = 'GitHub (work)';
    await nextTick();
    expect(linkName.value).toBe('github_work');
    expect(edited.value).toBe(false);
  });

  test('once edited it is the user’s, kept to the allowed characters', async () => {
    const name = ref('GitHub');
    const { linkName, edited, setLinkName } = useLinkName(name);
    setLinkName('My-Hub!');
    expect(linkName.value).toBe('my_hub');
    expect(edited.value).toBe(true);
    name.value = 'Something else';
    await nextTick();
    expect(linkName.value).toBe('my_hub');
  });

  test('clearing the field, or reset, hands it back to the name', async () => {
    const name = ref('Slack alerts');
    const { linkName, setLinkName, reset } = useLinkName(name);
    setLinkName('custom');
    setLinkName('');
    expect(linkName.value).toBe('slack_alerts');
    setLinkName('custom');
    reset();
    expect(linkName.value).toBe('slack_alerts');
    name.value = 'Slack';
    await nextTick();
    expect(linkName.value).toBe('slack');
  });
});
