"""``am``: start (with -W and -S), force-stop, kill, as Android 14's ActivityManagerShellCommand prints them."""

from __future__ import annotations

from dataclasses import dataclass, field

from android_suite.virtual.commands.context import CommandContext, CommandFn
from android_suite.virtual.framework import Framework, framework_of
from android_suite.virtual.framework.apps import App

MAIN = "android.intent.action.MAIN"
LAUNCHER = "android.intent.category.LAUNCHER"


@dataclass
class Intent:
    """The parts of an ``am start`` intent this model resolves."""

    action: str | None = None
    categories: list[str] = field(default_factory=list)
    component: str | None = None  # as typed: pkg/.Cls or pkg/full.Cls
    package: str | None = None
    flags: str | None = None
    extras: dict[str, str] = field(default_factory=dict)  # --es KEY VALUE (string extras)

    def __str__(self) -> str:
        # Intent.toShortString order: act, cat, flg, pkg, cmp.
        parts = []
        if self.action:
            parts.append(f"act={self.action}")
        if self.categories:
            parts.append(f"cat=[{','.join(self.categories)}]")
        if self.flags:
            parts.append(f"flg={self.flags}")
        if self.package and not self.component:
            parts.append(f"pkg={self.package}")
        if self.component:
            parts.append(f"cmp={self.component}")
        if self.extras:
            parts.append("(has extras)")
        return "Intent { " + " ".join(parts) + " }"


@dataclass
class StartArgs:
    intent: Intent
    wait: bool = False
    stop: bool = False


def parse_start(args: list[str]) -> StartArgs | None:
    """Options of ``am start``; None for one this model does not handle."""
    out = StartArgs(Intent())
    it = iter(args)
    for arg in it:
        if arg == "-W":
            out.wait = True
        elif arg == "-S":
            out.stop = True
        elif arg in ("--es", "-e"):
            key, value = next(it, None), next(it, None)
            if key is None or value is None:
                return None
            out.intent.extras[key] = value
        elif arg in ("-n", "-a", "-c", "-f", "--user"):
            value = next(it, None)
            if value is None:
                return None
            if arg == "-n":
                out.intent.component = value
            elif arg == "-a":
                out.intent.action = value
            elif arg == "-c":
                out.intent.categories.append(value)
            elif arg == "-f":
                out.intent.flags = value
            elif value not in ("0", "current"):
                return None  # other users are not modelled
        elif arg.startswith("-"):
            return None
        elif ":" in arg:
            return None  # a data URI (am start -d / VIEW intents) is not modelled
        elif "/" in arg:
            out.intent.component = arg
        else:
            out.intent.package = arg
    return out


def resolve(fw: Framework, intent: Intent) -> tuple[App | None, str]:
    """The target app and an error line (empty on success)."""
    if intent.component:
        pkg, _, cls = intent.component.partition("/")
        full = pkg + cls if cls.startswith(".") else cls
        app = fw.apps.get(pkg)
        if app is None or full != app.activity:
            short = f"{pkg}/{full[len(pkg) :]}" if full.startswith(pkg + ".") else f"{pkg}/{full}"
            return None, f"Error: Activity class {{{short}}} does not exist."
        return app, ""
    app = fw.apps.get(intent.package or "")
    resolvable = intent.action == MAIN or LAUNCHER in intent.categories
    if app is None or not app.launchable or not resolvable:
        return None, f"Error: Activity not started, unable to resolve {intent}"
    return app, ""


async def _start(ctx: CommandContext, fw: Framework, args: list[str]) -> int:
    parsed = parse_start(args)
    if parsed is None or not (parsed.intent.component or parsed.intent.package):
        return await ctx.unsupported()
    await ctx.out(f"Starting: {parsed.intent}\n")
    app, error = resolve(fw, parsed.intent)
    if app is None:
        if error.startswith("Error: Activity class"):
            await ctx.err("Error type 3\n")
        await ctx.err(error + "\n")
        return 1
    result = fw.launch(app.name, force_stop=parsed.stop, extras=parsed.intent.extras)
    if result.total_s is None:
        await ctx.out(
            "Warning: Activity not started, intent has been delivered to currently running top-most instance.\n"
        )
    await fw.pace(result.wait_s)
    if not parsed.wait:
        return 0
    lines = ["Status: ok", f"LaunchState: {result.state}", f"Activity: {app.short_component(result.activity)}"]
    if result.total_s is not None:
        lines.append(f"TotalTime: {round(result.total_s * 1000)}")
    lines += [f"WaitTime: {round(result.wait_s * 1000)}", "Complete"]
    await ctx.out("".join(line + "\n" for line in lines))
    return 0


async def am(ctx: CommandContext) -> int:
    fw = framework_of(ctx.services)
    args = ctx.argv[1:]
    if fw is None or not args:
        return await ctx.unsupported()
    verb, rest = args[0], args[1:]
    if verb in ("start", "start-activity"):
        return await _start(ctx, fw, rest)
    if verb in ("force-stop", "kill") and (len(rest) == 1 or (len(rest) == 3 and rest[:2] == ["--user", "0"])):
        package = rest[-1]
        # Unknown packages are silently ignored, as on a phone.
        if package in fw.apps:
            fw.force_stop(package) if verb == "force-stop" else fw.kill(package)
        return 0
    return await ctx.unsupported()


COMMANDS: dict[str, CommandFn] = {"am": am}
