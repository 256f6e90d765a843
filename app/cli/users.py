"""`cunbo users …`: create, list, disable and enable accounts; issue and revoke API tokens."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.auth.accounts import (
    AccountError,
    NewUser,
    create_user,
    find_user,
    list_users,
    reset_password,
    set_active,
    user_json,
)
from app.auth.tokens import TokenError, active_token, issue_token, revoke_token
from app.cli.output import echo_json
from app.models import ROLES, User


@click.group("users")
def users_group() -> None:
    """User accounts and personal access tokens."""


def _user(login: str) -> User:
    user = find_user(login)
    if user is None:
        raise click.UsageError(f"没有登录名为 {login} 的用户 (no such user).")
    return user


@users_group.command("create")
@click.argument("login")
@click.option("--role", required=True, type=click.Choice(ROLES), help="Role of the account.")
@click.option("--password", help="Password; one is generated and printed when omitted.")
@click.option("--name", help="Display name 姓名.")
@click.option("--township", "townships", multiple=True, help="Township code (role township).")
@click.option("--brand", "brands", multiple=True, help="Brand code, repeatable (role brand).")
@click.option("--room", "rooms", multiple=True, help="Live room code, repeatable (streamer).")
@click.option("--streamer", help="Streamer code 主播编码 to link to this account (streamer).")
@click.option(
    "--keep-password",
    is_flag=True,
    help="Do not ask the user to choose their own password at first sign-in.",
)
@with_appcontext
def create_command(
    login: str,
    role: str,
    password: str | None,
    name: str | None,
    townships: tuple[str, ...],
    brands: tuple[str, ...],
    rooms: tuple[str, ...],
    streamer: str | None,
    keep_password: bool,
) -> None:
    """Create an account with a role and its scope; the user changes the password at sign-in."""
    new = NewUser(
        login=login,
        role=role,
        password=password,
        name=name,
        townships=list(townships),
        brands=list(brands),
        rooms=list(rooms),
        streamer=streamer,
        must_change_password=not keep_password,
    )
    try:
        user, generated = create_user(new)
    except AccountError as exc:
        raise click.UsageError("\n".join(exc.errors)) from exc
    click.echo(f"已创建用户 {user.login}（{user.role}）")
    if generated:
        click.echo(f"初始密码（只显示这一次）: {generated}")


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the users as JSON.")
@with_appcontext
def list_command(as_json: bool) -> None:
    """List accounts with role, scope and status."""
    rows = [user_json(user) for user in list_users()]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        scope = " ".join(
            f"{kind}:{code}"
            for kind in ("townships", "brands", "rooms", "streamers")
            for code in row[kind]
        )
        status = "" if row["active"] else "  [已停用 disabled]"
        click.echo(f"{row['login']:<20} {row['role']:<9} {row['name'] or '':<12} {scope}{status}")


@users_group.command("disable")
@click.argument("login")
@with_appcontext
def disable_command(login: str) -> None:
    """Disable an account: its sessions and tokens stop working at once."""
    set_active(_user(login), False)
    click.echo(f"已停用 {login}")


@users_group.command("enable")
@click.argument("login")
@with_appcontext
def enable_command(login: str) -> None:
    """Re-enable a disabled account."""
    set_active(_user(login), True)
    click.echo(f"已启用 {login}")


@users_group.command("password")
@click.argument("login")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option(
    "--keep-password",
    is_flag=True,
    help="Do not ask the user to choose their own password at next sign-in.",
)
@with_appcontext
def password_command(login: str, password: str, keep_password: bool) -> None:
    """Set a temporary password; the user chooses their own at next sign-in."""
    user = _user(login)
    try:
        reset_password(user, password, temporary=not keep_password)
    except AccountError as exc:
        raise click.UsageError("\n".join(exc.errors)) from exc
    if keep_password:
        click.echo(f"已为 {login} 设置新密码")
    else:
        click.echo(f"已为 {login} 设置临时密码，本人下次登录时须修改")


@users_group.command("token")
@click.argument("login")
@click.option("--name", required=True, help="What the token is for, e.g. 报表脚本.")
@with_appcontext
def token_command(login: str, name: str) -> None:
    """Issue a personal access token; it is printed once and only its hash is kept."""
    try:
        _token, plain = issue_token(_user(login), name)
    except TokenError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(plain)
    click.echo("请立即保存此令牌，之后无法再次查看 (shown once).", err=True)


@users_group.command("revoke")
@click.argument("login")
@click.option("--name", required=True, help="Name of the token to revoke.")
@with_appcontext
def revoke_command(login: str, name: str) -> None:
    """Revoke a personal access token by its name."""
    token = active_token(_user(login), name)
    if token is None:
        raise click.UsageError(f"{login} 没有名为“{name}”的有效令牌。")
    revoke_token(token)
    click.echo(f"已吊销 {login} 的令牌“{name}”")
