"""``app_process``: run a Java main class from the jars on ``CLASSPATH``.

Only uiautomator2's server (``com.wetest.uia2.Main`` in u2's ``u2.jar``) is
modelled. uiautomator2 3.x starts it as
``CLASSPATH=/data/local/tmp/u2.jar app_process / com.wetest.uia2.Main -p 9008``
over a shell stream it keeps open: the command serves HTTP on the
device-local port until the stream closes (which cancels this command), and
its output is what u2 watches for "already registered".

A class is "found" when a ``classes*.dex`` inside a CLASSPATH jar names it,
as ART's PathClassLoader would find it; anything else is the
ClassNotFoundException app_process prints. A class that exists but is not
modelled fails loudly.
"""

from __future__ import annotations

import asyncio
import io
import zipfile

from android_suite.virtual.api import FsError
from android_suite.virtual.commands.context import CommandContext, CommandFn
from android_suite.virtual.u2.server import DEFAULT_PORT, AlreadyRegisteredError, U2Server

U2_MAIN = "com.wetest.uia2.Main"
USAGE = "Usage: app_process [java-options] cmd-dir start-class-name [options]\n"
_NATIVE_DIRS = "nativeLibraryDirectories=[/system/lib64, /system_ext/lib64]"
# SIGABRT from LOG_ALWAYS_FATAL, as sh reports it (128 + 6).
_ABORT_STATUS = 134
_U2_HELP = (
    "usage: uiautomator2-server\n"
    " -h,--help         Print this help message\n"
    " -p,--port <arg>   Port to listen on (1-65535, default: 9008)\n"
)


def _jar_has_class(data: bytes, class_name: str) -> bool:
    descriptor = ("L" + class_name.replace(".", "/") + ";").encode()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as jar:
            dexes = [n for n in jar.namelist() if n.startswith("classes") and n.endswith(".dex")]
            return any(descriptor in jar.read(name) for name in dexes)
    except (zipfile.BadZipFile, OSError):
        return False  # ART skips a classpath entry it cannot open (logcat only)


def _loadable(ctx: CommandContext, classpath: str) -> list[tuple[str, bytes]]:
    jars = []
    for entry in filter(None, classpath.split(":")):
        try:
            jars.append((entry, ctx.services.fs.read(ctx.path(entry))))
        except FsError:
            continue  # missing entries drop out of the DexPathList silently
    return jars


async def _class_not_found(ctx: CommandContext, class_name: str, jars: list[str]) -> int:
    path = ", ".join(f'zip file "{jar}"' for jar in jars)
    await ctx.err(
        f'java.lang.ClassNotFoundException: Didn\'t find class "{class_name}" on path: '
        f"DexPathList[[{path}],{_NATIVE_DIRS}]\n"
        "\tat dalvik.system.BaseDexClassLoader.findClass(BaseDexClassLoader.java:259)\n"
        "\tat java.lang.ClassLoader.loadClass(ClassLoader.java:637)\n"
        "\tat java.lang.ClassLoader.loadClass(ClassLoader.java:573)\n"
    )
    return 1


async def app_process(ctx: CommandContext) -> int:
    args = ctx.argv[1:]
    while args and args[0].startswith("-"):
        args = args[1:]  # java-options (-Xmx..., -D...) change nothing here
    if len(args) < 2:
        await ctx.err(USAGE)
        return _ABORT_STATUS
    class_name, options = args[1], args[2:]
    jars = _loadable(ctx, ctx.env.get("CLASSPATH", ""))
    found = [path for path, data in jars if _jar_has_class(data, class_name)]
    if not found:
        return await _class_not_found(ctx, class_name, [path for path, _ in jars])
    if class_name != U2_MAIN:
        return await ctx.unsupported()
    return await _u2_main(ctx, options)


async def _u2_main(ctx: CommandContext, options: list[str]) -> int:
    """The u2 server's ``Main``: ``[-p PORT] [-h]``."""
    port_text = str(DEFAULT_PORT)
    rest = list(options)
    while rest:
        option = rest.pop(0)
        if option in ("-h", "--help"):
            await ctx.out(_U2_HELP)
            return 0
        if option in ("-p", "--port") and rest:
            port_text = rest.pop(0)
        else:
            return await ctx.unsupported()
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        await ctx.err(f"Invalid port: {port_text}. Must be an integer between 1 and 65535.\n")
        return 1
    port = int(port_text)
    await ctx.out("[server] INFO: [UiAutomator2Server] Starting Server\n")
    server = U2Server(ctx.services, port)
    try:
        server.start()
    except AlreadyRegisteredError:
        # What the jar prints when another UiAutomation connection holds the device.
        await ctx.err(
            "java.lang.IllegalStateException: UiAutomationService "
            "android.accessibilityservice.IAccessibilityServiceClient$Stub$Proxy@5deffd5already registered!\n"
        )
        return 1
    try:
        await ctx.out(f"[server] INFO: http server listening on *:{port}\n")
        # Runs until killed: the host closing the adb shell stream cancels this task.
        await asyncio.Event().wait()
    finally:
        server.stop()
    return 0


COMMANDS: dict[str, CommandFn] = {"app_process": app_process, "app_process64": app_process}
