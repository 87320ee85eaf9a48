import type { ConsoleSession } from '@mlp/contracts';
import { createContext, useCallback, useContext, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { allowed, type RouteMethod, type Upstream } from '../../src/app/upstream/console-routes';
import { grants } from '../../src/app/upstream/scopes';
import { ApiError, hasToken, onUnauthorized, request, setToken } from './api';

interface SessionState {
  session: ConsoleSession;
  signOut: () => void;
}

const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside the session provider');
  return s;
}

/** Whether the signed-in token may call a service route: the pages show and enable only that. */
export function useCan(): (upstream: Upstream, method: RouteMethod, path: string) => boolean {
  const { session } = useSession();
  return useCallback((upstream, method, path) => allowed(session.scopes, upstream, method, path), [session.scopes]);
}

export function useHasScope(): (scope: string) => boolean {
  const { session } = useSession();
  return useCallback((scope) => grants(session.scopes, scope), [session.scopes]);
}

/**
 * Asks the console who the stored token is. In the embedded profile without tokens the answer comes
 * without one (nobody signs in); otherwise a missing or refused token shows the sign-in form.
 */
export function SessionGate({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<ConsoleSession | null>(null);
  const [state, setState] = useState<'checking' | 'signed-out' | 'ready' | 'error'>('checking');
  const [problem, setProblem] = useState<string | null>(null);

  const check = useCallback(async () => {
    try {
      const { body } = await request<ConsoleSession>('GET', '/api/session', undefined, { probe: true });
      setSession(body);
      setState('ready');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        if (hasToken()) setProblem('Your session ended or the token is no longer valid. Sign in again.');
        setToken(null);
        setState('signed-out');
      } else {
        setProblem(err instanceof Error ? err.message : String(err));
        setState('error');
      }
    }
  }, []);

  useEffect(() => {
    void check();
    return onUnauthorized(() => {
      setToken(null);
      setSession(null);
      setProblem('Your session ended or the token is no longer valid. Sign in again.');
      setState('signed-out');
    });
  }, [check]);

  const signOut = useCallback(() => {
    setToken(null);
    setSession(null);
    setProblem(null);
    setState('signed-out');
  }, []);

  if (state === 'checking') return <p className="loading">Connecting to the console…</p>;
  if (state === 'error') return <div className="error-box" role="alert">The console cannot be reached: {problem}</div>;
  if (state === 'signed-out' || !session) return <SignIn problem={problem} onSignedIn={(s) => { setSession(s); setProblem(null); setState('ready'); }} />;
  return <SessionContext.Provider value={{ session, signOut }}>{children}</SessionContext.Provider>;
}

function SignIn({ problem, onSignedIn }: { problem: string | null; onSignedIn: (s: ConsoleSession) => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(problem);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const candidate = value.trim();
    if (!candidate) return;
    setBusy(true);
    try {
      // Checked before it is kept: a refused token is never stored.
      const { body } = await request<ConsoleSession>('GET', '/api/session', undefined, { authorization: `Bearer ${candidate}` });
      setToken(candidate);
      setValue('');
      onSignedIn(body);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'That token is not valid for this platform.' : err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <h1>ML platform console</h1>
      <form onSubmit={(e) => void submit(e)} method="post" action="/" autoComplete="off">
        <label htmlFor="token">Platform token</label>
        <input id="token" name="token" type="password" value={value} onChange={(e) => setValue(e.target.value)} autoFocus spellCheck={false} />
        <p className="hint">The token stays in this browser tab and is sent only to this console, in a header.</p>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy || !value.trim()}>Sign in</button>
      </form>
    </main>
  );
}
