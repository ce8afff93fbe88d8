// The analyst's web application: sign-in, then the views a user's roles allow. Values
// are always rendered as text (JSX escapes), so names cannot inject markup.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './styles.css';
import { get, hasSession, onSignedOut, post, setSession } from './lib/api.ts';
import { banner, bannerClass } from './lib/banner.ts';
import { href, route } from './lib/router.ts';
import { ErrorNotice } from './components/ui.tsx';
import { currentUser } from './lib/session.ts';
import { may, type Permission, type Principal } from '../domain/users.ts';
import { DashboardView } from './views/Dashboard.tsx';
import { MapView } from './views/MapView.tsx';
import { GraphView } from './views/GraphView.tsx';
import { EntityView } from './views/EntityView.tsx';
import { SearchView } from './views/SearchView.tsx';
import { DeconflictionView } from './views/DeconflictionView.tsx';
import { ScreeningView } from './views/ScreeningView.tsx';
import { NominationsView, TargetingView } from './views/QueuesView.tsx';
import { PressesView, TaskForcesView } from './views/RegistriesView.tsx';
import { ImportView } from './views/ImportView.tsx';
import { LinksView } from './views/LinksView.tsx';
import { PartnerView } from './views/PartnerView.tsx';
import { ReportView } from './views/ReportView.tsx';

interface View {
  path: string;
  label: string;
  view: () => preact.JSX.Element;
  needs?: Permission;
  partnerOnly?: boolean;
  analystOnly?: boolean;
}
const VIEWS: View[] = [
  { path: 'dashboard', label: 'Dashboard', view: DashboardView, analystOnly: true },
  { path: 'search', label: 'Search', view: SearchView, analystOnly: true },
  { path: 'map', label: 'Map', view: MapView, analystOnly: true },
  { path: 'graph', label: 'Graph', view: GraphView, analystOnly: true },
  { path: 'deconfliction', label: 'Deconfliction', view: DeconflictionView, analystOnly: true },
  { path: 'screening', label: 'Screening', view: ScreeningView, needs: 'screen' },
  { path: 'nominations', label: 'Nominations', view: NominationsView, analystOnly: true },
  { path: 'targeting', label: 'Targeting', view: TargetingView, analystOnly: true },
  { path: 'presses', label: 'Presses', view: PressesView, analystOnly: true },
  { path: 'task-forces', label: 'Task forces', view: TaskForcesView, analystOnly: true },
  { path: 'links', label: 'Possible links', view: LinksView, analystOnly: true },
  { path: 'import', label: 'Import', view: ImportView, needs: 'write' },
  { path: 'report', label: 'Report', view: ReportView, analystOnly: true },
  { path: 'partner', label: 'Report to agencies', view: PartnerView, partnerOnly: true },
];
const allowed = (me: Principal, v: View): boolean => {
  const partner = me.roles.length === 1 && me.roles[0] === 'partner';
  if (v.partnerOnly) return me.roles.includes('partner');
  if (v.analystOnly && partner) return false;
  return !v.needs || may(me, v.needs);
};

function Login({ onIn }: { onIn: (me: Principal) => void }) {
  const [error, setError] = useState<Error>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    setBusy(true);
    setError(undefined);
    try {
      const r = await post('/auth/login', {
        username: String(f.get('username') ?? ''),
        password: String(f.get('password') ?? ''),
      });
      setSession(r.token);
      onIn(await get('/auth/me'));
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form id="login" aria-labelledby="login-h" onSubmit={submit}>
      <h1 id="login-h">Sign in to Chokepoint</h1>
      <label>
        User <input id="username" name="username" autocomplete="username" required />
      </label>
      <label>
        Password <input id="password" name="password" type="password" autocomplete="current-password" required />
      </label>
      <button type="submit" disabled={busy}>
        Sign in
      </button>
      <p class="hint">
        The demo users and their passwords are printed in the terminal where <code>npm start</code> runs.
      </p>
      <div id="error">
        <ErrorNotice error={error} />
      </div>
    </form>
  );
}

function App() {
  const [me, setMeState] = useState<Principal | null>(null);
  const setMe = (p: Principal | null): void => {
    currentUser.value = p;
    setMeState(p);
  };
  const [boot, setBoot] = useState<Error>();
  useEffect(() => {
    const off = onSignedOut(() => setMe(null));
    if (hasSession())
      get('/auth/me').then(setMe, (e: Error) => {
        setSession(null);
        setBoot(e);
      });
    return off;
  }, []);
  const r = route.value;
  const views = me ? VIEWS.filter((v) => allowed(me, v)) : [];
  const current = r.path[0] === 'entity' ? undefined : (views.find((v) => v.path === r.path[0]) ?? views[0]);
  useEffect(() => {
    document.title = `Chokepoint · ${current?.label ?? 'Entity'}`;
  }, [current]);
  const signOut = () => {
    post('/auth/logout', {}).catch(() => undefined);
    setSession(null);
    setMe(null);
  };
  return (
    <>
      <div id="banner" class={`banner ${bannerClass(banner.value)}`} role="status" aria-live="polite">
        {banner.value}
      </div>
      <header>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <strong class="brand">Chokepoint</strong>
        {me && (
          <nav id="tabs" aria-label="Views">
            {views.map((v) => (
              <a href={href(v.path)} data-view={v.path} aria-current={v === current ? 'page' : undefined}>
                {v.label}
              </a>
            ))}
          </nav>
        )}
        {me && (
          <span id="who">
            {me.displayName} · {me.agency} · cleared {me.clearance}
          </span>
        )}
        {me && (
          <button type="button" id="logout" onClick={signOut}>
            Sign out
          </button>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        <ErrorNotice error={boot} />
        {!me ? (
          <Login onIn={setMe} />
        ) : r.path[0] === 'entity' && r.path[1] ? (
          <EntityView id={r.path[1]} />
        ) : current ? (
          <current.view />
        ) : (
          <p>No view is open to your role.</p>
        )}
      </main>
      <div class="banner-bottom" aria-hidden="true">
        {banner.value}
      </div>
    </>
  );
}

render(<App />, document.getElementById('app')!);
