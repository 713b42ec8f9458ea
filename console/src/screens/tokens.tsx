import { useState } from 'preact/hooks';
import type { CreatedPersonalAccessToken, PersonalAccessToken } from '../../../src/client/index.ts';
import { useAction, useLoad, useSignedIn } from '../context.ts';
import { Empty, LoadError, Loading, NoticeLine } from '../parts/notice.tsx';
import { RelativeTime } from '../parts/time.tsx';

/** Tessera's own abilities (API.md, "Personal access tokens and abilities"). */
const ABILITIES: [string, string][] = [
  ['*', 'Everything except admin'],
  ['profile:read', 'Read my profile'],
  ['sessions:read', 'List my devices'],
  ['sessions:write', 'Revoke my devices'],
  ['audit:read', 'Read my activity'],
  ['posts:write', 'Write posts'],
];

const DAY = 24 * 3600;
const LIFETIMES: [number, string][] = [
  [7 * DAY, '7 days'],
  [30 * DAY, '30 days'],
  [90 * DAY, '90 days'],
  [365 * DAY, '1 year'],
];

/** My personal access tokens: create one (its secret shown once), list, revoke. */
export function Tokens() {
  const { client } = useSignedIn();
  const tokens = useLoad((signal) => client.tokens.list({ signal }), []);
  const action = useAction();
  const [created, setCreated] = useState<CreatedPersonalAccessToken | null>(null);

  const revoke = (token: PersonalAccessToken) =>
    action.run(async () => {
      await client.tokens.revoke(token.id);
      tokens.reload();
      return `The token “${token.name}” was revoked; it no longer works.`;
    });

  return (
    <section aria-labelledby="title">
      <h1 id="title" tabIndex={-1}>
        Personal access tokens
      </h1>
      <p class="lead">Tokens let scripts and integrations use Tessera as you, limited to the abilities you choose.</p>
      {created ? (
        <NewSecret token={created} onDone={() => setCreated(null)} />
      ) : (
        <CreateToken
          onCreated={(token) => {
            setCreated(token);
            tokens.reload();
          }}
        />
      )}
      <h2>Your tokens</h2>
      <NoticeLine notice={action.notice} />
      {tokens.error && <LoadError message={tokens.error} retry={tokens.reload} />}
      {!tokens.data && tokens.loading && <Loading />}
      {tokens.data?.length === 0 && <Empty>You have no personal access tokens.</Empty>}
      {tokens.data && tokens.data.length > 0 && (
        <TokenList tokens={tokens.data} busy={action.busy} onRevoke={revoke} />
      )}
    </section>
  );
}

/** Tokens with their abilities and dates; shared with the admin's view of a user. */
export function TokenList(props: {
  tokens: PersonalAccessToken[];
  busy: boolean;
  onRevoke: (token: PersonalAccessToken) => void;
}) {
  return (
    <ul class="cards" aria-label="Tokens">
      {props.tokens.map((token) => (
        <li key={token.id} class="card" aria-label={token.name}>
          <div class="card-main">
            <h3 class="card-title">{token.name}</h3>
            <p class="chips">
              {token.abilities.map((ability) => (
                <code key={ability} class="chip">
                  {ability}
                </code>
              ))}
            </p>
            <p class="facts">
              <span>
                Created <RelativeTime at={token.created_at} />
              </span>
              <span>
                Last used <RelativeTime at={token.last_used_at} />
              </span>
              <span>
                Expires <RelativeTime at={token.expires_at} />
              </span>
            </p>
          </div>
          <button type="button" disabled={props.busy} aria-label={`Revoke ${token.name}`} onClick={() => props.onRevoke(token)}>
            Revoke
          </button>
        </li>
      ))}
    </ul>
  );
}

function CreateToken(props: { onCreated: (token: CreatedPersonalAccessToken) => void }) {
  const { client, me } = useSignedIn();
  const action = useAction();
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [lifetime, setLifetime] = useState(30 * DAY);
  const choices = me.is_admin ? [...ABILITIES, ['admin', 'Administer Tessera'] as [string, string]] : ABILITIES;

  const toggle = (ability: string, on: boolean) =>
    setChosen((now) => (on ? [...now, ability] : now.filter((a) => a !== ability)));

  async function submit(event: Event) {
    event.preventDefault();
    await action.run(async () => {
      const token = await client.tokens.create({ name: name.trim(), abilities: chosen, expires_in: lifetime });
      setName('');
      setChosen([]);
      props.onCreated(token);
      return '';
    });
  }

  return (
    <form class="card form" onSubmit={submit} aria-labelledby="create-title">
      <h2 id="create-title">Create a token</h2>
      <label for="token-name">Name</label>
      <input
        id="token-name"
        required
        maxLength={100}
        placeholder="e.g. Deploy script"
        value={name}
        onInput={(event) => setName(event.currentTarget.value)}
      />
      <fieldset>
        <legend>Abilities</legend>
        {choices.map(([ability, description]) => (
          <label key={ability} class="check">
            <input
              type="checkbox"
              checked={chosen.includes(ability)}
              onChange={(event) => toggle(ability, event.currentTarget.checked)}
            />
            {description} <code>{ability}</code>
          </label>
        ))}
      </fieldset>
      <label for="token-lifetime">Expires after</label>
      <select id="token-lifetime" value={lifetime} onChange={(event) => setLifetime(Number(event.currentTarget.value))}>
        {LIFETIMES.map(([seconds, label]) => (
          <option key={seconds} value={seconds}>
            {label}
          </option>
        ))}
      </select>
      {action.notice?.kind === 'error' && <NoticeLine notice={action.notice} />}
      {chosen.length === 0 && <p class="hint">Choose at least one ability.</p>}
      <button type="submit" class="primary" disabled={action.busy || chosen.length === 0}>
        Create token
      </button>
    </form>
  );
}

/** The secret, once: after "Done" nobody (not Tessera either) can show it again. */
function NewSecret(props: { token: CreatedPersonalAccessToken; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(props.token.token);
      setCopied('Copied to the clipboard.');
    } catch {
      (document.getElementById('new-token') as HTMLInputElement | null)?.select();
      setCopied('Select the token and copy it (Ctrl+C or ⌘C).');
    }
  }
  return (
    <div class="card secret" role="region" aria-labelledby="secret-title">
      <h2 id="secret-title">Copy your new token now</h2>
      <p>
        “{props.token.name}” was created. This is the only time its secret is shown: store it somewhere safe.
      </p>
      <label for="new-token">Token secret</label>
      <div class="copy-row">
        <input id="new-token" readOnly value={props.token.token} onFocus={(event) => event.currentTarget.select()} />
        <button type="button" onClick={copy}>
          Copy
        </button>
      </div>
      <div role="status" class={copied ? 'hint' : 'notice-empty'}>
        {copied}
      </div>
      <button type="button" class="primary" onClick={props.onDone}>
        Done
      </button>
    </div>
  );
}
