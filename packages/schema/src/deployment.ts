import { Field, ObjectType } from 'type-graphql';

@ObjectType({
  simpleResolvers: true,
  description: 'What a client needs to know about how this server is reached. Nothing secret.',
})
export class Deployment {
  @Field({
    description:
      'The address browsers must use (PUBLIC_URL, or http://localhost:<port> when unset): OAuth popups, ' +
      'callbacks, redirect URIs and the console socket are bound to its origin. A console opened at another ' +
      'origin (127.0.0.1 vs localhost, a proxy in front) should say what to change.',
  })
  publicUrl!: string;

  @Field({ description: 'Whether the built-in sandbox is served under /sandbox on this server.' })
  sandbox!: boolean;
}
