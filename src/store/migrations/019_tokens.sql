-- 019: tokens are listed and revoked by an id that is not their secret, and show
-- when they were last used (written at most once a minute per token).
-- gen_random_uuid() is volatile, so each existing token gets its own id. A random id
-- rather than a serial one: it says nothing about how many tokens others hold.
ALTER TABLE tokens ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE tokens ADD CONSTRAINT tokens_id_key UNIQUE (id);
ALTER TABLE tokens ADD COLUMN last_used_at timestamptz;
CREATE INDEX tokens_user ON tokens (user_id);

-- Sign-in throttling replaces the account lockout, which let anyone lock any account
-- and told real usernames from unknown ones. Failures are counted per (username as
-- typed, client) and per client, whether or not the username exists (see
-- src/store/sign-in.ts). Readers have no grant on either table.
ALTER TABLE users DROP COLUMN failed_logins, DROP COLUMN locked_until;

CREATE TABLE sign_in_failures (
  account text NOT NULL,
  client text NOT NULL,
  failures int NOT NULL,
  last_failure_at timestamptz NOT NULL,
  blocked_until timestamptz,
  PRIMARY KEY (account, client)
);
CREATE INDEX sign_in_failures_client ON sign_in_failures (client);
CREATE INDEX sign_in_failures_age ON sign_in_failures (last_failure_at);

CREATE TABLE sign_in_client_failures (
  client text PRIMARY KEY,
  failures int NOT NULL,
  last_failure_at timestamptz NOT NULL,
  blocked_until timestamptz
);
CREATE INDEX sign_in_client_failures_age ON sign_in_client_failures (last_failure_at);
