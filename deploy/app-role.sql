-- CareLedger on PostgreSQL: the app's own database role, which owns no table.
--
-- The replicas sign in as this role; the migrations, the backups and the command line keep using
-- the owner role (docs/deploy.md § The app's database role). The app role reads and writes the
-- records, but may only read and append to the audit log: it cannot update, delete or truncate
-- audit_entries, nor disable or drop the triggers that guard it (only the owner may), nor
-- change the schema. Run once, as the PostgreSQL superuser, after the first migration:
--
--   sudo -u postgres psql -d careledger -v owner_role=careledger -v app_role=careledger_app \
--       -v app_password='another-long-random-password' -f /opt/careledger/deploy/app-role.sql
--
-- tests/db/test_audit_tamper.py runs this file and tries each refusal.

\set ON_ERROR_STOP on

CREATE ROLE :"app_role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
GRANT CONNECT ON DATABASE :"DBNAME" TO :"app_role";
GRANT USAGE ON SCHEMA public TO :"app_role";

-- The records: read and write.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app_role";

-- The audit log: read and append, nothing else.
REVOKE ALL ON audit_entries FROM :"app_role";
GRANT SELECT, INSERT ON audit_entries TO :"app_role";

-- The schema version: read only (the owner migrates).
REVOKE ALL ON alembic_version FROM :"app_role";
GRANT SELECT ON alembic_version TO :"app_role";

-- Tables and sequences that later migrations create (as the owner) get the same rights.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app_role";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app_role";
