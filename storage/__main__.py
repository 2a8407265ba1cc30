"""Command line: ``python -m storage COMMAND``.

Commands:
  migrate            upgrade the database to the newest schema
  demo               load demo departments, groups, users and forms; prints the passwords
  verify-audit       verify the audit log's hash chain; names the first broken link (exit 1)
  revision MESSAGE   (developers) autogenerate a migration from the models
"""

from __future__ import annotations

import sys

from storage.audit_check import verify_audit
from storage.demo import load_demo
from storage.engine import make_engine
from storage.migrate import new_revision, upgrade
from storage.settings import load_settings


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0 if argv else 2
    command, *rest = argv
    engine = make_engine(load_settings().database_url)
    if command == "migrate":
        upgrade(engine)
        print("Database is at the newest schema.")
    elif command == "demo":
        upgrade(engine)
        print("Demo content loaded. Sign in with:")
        for username, role, password in load_demo(engine):
            print(f"  {role:<14} {username:<10} {password}")
    elif command == "verify-audit":
        counted, broken = verify_audit(engine)
        if broken is not None:
            print(f"Audit chain BROKEN at event {broken} ({counted} events read).")
            return 1
        print(f"Audit chain intact: {counted} events verified.")
    elif command == "revision" and rest:
        new_revision(engine, " ".join(rest))
    else:
        print(f"Unknown command {command!r}.\n{__doc__}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
