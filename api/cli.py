"""Command line for setting up the referral backend: the first admin, associations, queues, operators, keys.

Passwords are read from standard input (`--password-stdin`), the ADMIN_PASSWORD /
OPERATOR_PASSWORD environment variable, or a hidden prompt; never from an argument
(arguments end up in shell history and process lists).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.accounts import create_operator
from api.cases.models import Association, Queue
from api.core.codes import Role
from api.core.config import get_settings
from api.core.errors import ApiError
from api.crypto import derived_development_key
from api.db import get_sessionmaker
from api.key_rotation import rotate_encryption


def read_password(from_stdin: bool, env_name: str) -> str:
    """The password from stdin, the environment, or a hidden prompt asked twice."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get(env_name):
        return os.environ[env_name]
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise SystemExit("The two passwords differ.")
    return first


def ensure_association(session: Session, name: str, cities: list[str] | None = None) -> Association:
    """The association called `name`, created with one queue (default when it is the first) if new."""
    association = session.scalar(select(Association).where(Association.name == name))
    if association is None:
        association = Association(name=name)
        session.add(association)
        session.flush()
        first_queue = session.scalar(select(Queue.id).limit(1)) is None
        session.add(Queue(association_id=association.id, name=name, cities=[c.lower() for c in cities or []],
                          is_default=first_queue))
        session.flush()
    return association


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api.cli", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="create an admin account")
    admin.add_argument("--email")
    admin.add_argument("--association", default="Hotline", help="association name (created if missing)")
    admin.add_argument("--password-stdin", action="store_true")
    operator = commands.add_parser("create-operator", help="create an operator, supervisor or editor account")
    operator.add_argument("--email", required=True)
    operator.add_argument("--association", help="association name (created if missing); editors need none")
    operator.add_argument("--role", default=Role.OPERATOR, choices=tuple(Role))
    operator.add_argument("--languages", default="", help="comma-separated codes, e.g. fr,ar,ary")
    operator.add_argument("--password-stdin", action="store_true")
    association = commands.add_parser("create-association", help="create an association and its queue")
    association.add_argument("--name", required=True)
    association.add_argument("--cities", default="", help="comma-separated towns its queue serves")
    commands.add_parser("new-encryption-key", help="print a fresh Fernet key for ENCRYPTION_KEYS")
    commands.add_parser("derived-encryption-key",
                        help="print the key derived from SECRET_KEY (what data written without ENCRYPTION_KEYS "
                             "is encrypted with): list it after a new key in ENCRYPTION_KEYS, then rotate")
    commands.add_parser("rotate-encryption", help="re-encrypt every stored number and channel id with the first "
                                                  "key of ENCRYPTION_KEYS")
    return parser


def key_command(command: str) -> int | None:
    """The commands about encryption keys (None: not one of them)."""
    if command == "new-encryption-key":
        print(Fernet.generate_key().decode())
        return 0
    if command == "derived-encryption-key":
        print(derived_development_key(get_settings().secret_key))
        return 0
    if command == "rotate-encryption":
        with get_sessionmaker()() as session:
            count = rotate_encryption(session)
        print(f"{count} values re-encrypted with the first key of ENCRYPTION_KEYS")
        return 0
    return None


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    args = _parser().parse_args(argv)
    done = key_command(args.command)
    if done is not None:
        return done
    with get_sessionmaker()() as session:
        try:
            if args.command == "create-association":
                found = ensure_association(session, args.name, [c.strip() for c in args.cities.split(",") if c.strip()])
                session.commit()
                print(f"association {found.id} ready")
                return 0
            email = args.email or input("Email: ").strip()
            role = Role.ADMIN if args.command == "create-admin" else args.role
            env_name = "ADMIN_PASSWORD" if args.command == "create-admin" else "OPERATOR_PASSWORD"
            password = read_password(args.password_stdin, env_name)
            if args.command == "create-operator" and not args.association and role != Role.EDITOR:
                print("error: --association is required for operators, supervisors and admins", file=sys.stderr)
                return 1
            association = ensure_association(session, args.association) if args.association or role != Role.EDITOR else None
            languages = [c.strip() for c in getattr(args, "languages", "").split(",") if c.strip()]
            created = create_operator(session, email, password, role, association.id if association else None, languages)
            session.commit()
        except ApiError as error:
            print(f"error: {error.detail}", file=sys.stderr)
            return 1
    print(f"{role} {created.id} created")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
