"""``dumpsys activity``, ``dumpsys window`` and ``dumpsys display`` text (Android 14 shapes).

Only the lines tools read are modelled, in their real form:
- ``mCurrentFocus=Window{hash u0 pkg/full.Class}`` (adbutils ``app_current``),
- ``mFocusedApp=ActivityRecord{hash u0 pkg/.Short tN}``,
- ``mResumedActivity:``/``ResumedActivity:``/``topResumedActivity=`` records,
- ``ACTIVITY pkg/.Short hash pid=N`` (``dumpsys activity top``),
- ``DisplayViewport{... orientation=N, ... deviceWidth=W, deviceHeight=H}`` first
  (adbutils ``rotation()`` takes the first ``orientation=``).
ActivityRecord names use ``flattenToShortString`` (``pkg/.Cls``), window titles the full class.
"""

from __future__ import annotations

from dataclasses import dataclass

DISPLAY_ID = "local:4619827259835644672"  # SurfaceFlinger's physical display id form


@dataclass(frozen=True)
class TaskView:
    """One task as the dumps show it."""

    task_id: int
    package: str
    uid: int
    short_component: str  # pkg/.Cls
    full_component: str  # pkg/full.Cls
    pid: int | None
    home: bool


def _hash(*parts: object) -> str:
    """A stable stand-in for an identity hash code."""
    value = 0
    for ch in "|".join(str(p) for p in parts):
        value = (value * 131 + ord(ch)) & 0xFFFFFFF
    return f"{value:07x}"


def _config(width: int, height: int, activity_type: str) -> str:
    """A Configuration as WindowManager prints it (portrait, 440 dpi class)."""
    bounds = f"Rect(0, 0 - {width}, {height})"
    return (
        "{1.0 ?mcc?mnc [en_US] ldltr sw392dp w392dp h872dp 440dpi nrml long port finger -keyb/v/h -nav/h "
        f"winConfig={{ mBounds={bounds} mAppBounds={bounds} mWindowingMode=fullscreen "
        f"mDisplayWindowingMode=fullscreen mActivityType={activity_type} mAlwaysOnTop=undefined "
        "mRotation=ROTATION_0}}"
    )


def record(t: TaskView) -> str:
    return f"ActivityRecord{{{_hash('ar', t.task_id, t.package)} u0 {t.short_component} t{t.task_id}}}"


def window(t: TaskView) -> str:
    return f"Window{{{_hash('win', t.task_id, t.package)} u0 {t.full_component}}}"


def activities(tasks: list[TaskView]) -> str:
    """``dumpsys activity activities``; ``tasks[0]`` is the resumed one."""
    out = ["ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)", "Display #0 (activities from top to bottom):"]
    for i, t in enumerate(tasks):
        kind = "home" if t.home else "standard"
        visible = "true" if i == 0 else "false"
        out.append(
            f"  * Task{{{_hash('task', t.task_id)} #{t.task_id} type={kind} A={t.uid}:{t.package} U=0 "
            f"visible={visible} visibleRequested={visible} mode=fullscreen translucent=false sz=1}}"
        )
        out.append(f"    mLastPausedActivity: {record(t)}" if i else f"    mResumedActivity: {record(t)}")
        out.append(f"    * Hist  #0: {record(t)}")
        out.append(f"      packageName={t.package} processName={t.package}")
        proc = f"ProcessRecord{{{_hash('pr', t.pid)} {t.pid}:{t.package}/u0a{t.uid - 10000}}}" if t.pid else "null"
        out += [f"      app={proc}", ""]
    if tasks:
        out += [f"  ResumedActivity: {record(tasks[0])}", "", f"  topResumedActivity={record(tasks[0])}"]
    return "\n".join(out) + "\n"


def activity_top(top: TaskView) -> str:
    """``dumpsys activity top``: the resumed task's activity and its state."""
    out = [
        f"TASK {top.uid}:{top.package} id={top.task_id} userId=0",
        f"  ACTIVITY {top.short_component} {_hash('ar', top.task_id, top.package)} pid={top.pid or 0}",
        f"    Local Activity {_hash('local', top.task_id)} State:",
        "      mResumed=true mStopped=false mFinished=false",
        "      mIsInMultiWindowMode=false mIsInPictureInPictureMode=false",
        "      mChangingConfigurations=false",
        f"      mCurrentConfig={_config(1080, 2400, 'home' if top.home else 'standard')}",
    ]
    return "\n".join(out) + "\n"


def windows(tasks: list[TaskView], width: int, height: int) -> str:
    """``dumpsys window windows``: system bars, the app windows, then the focus lines."""
    out = ["WINDOW MANAGER WINDOWS (dumpsys window windows)"]
    titles = [f"Window{{{_hash('sys', n)} u0 {n}}}" for n in ("StatusBar", "NavigationBar0")]
    titles += [window(t) for t in tasks]
    for i, title in enumerate(titles):
        root = 1 if i < 2 else tasks[i - 2].task_id
        session = f"Session{{{_hash('s', i)} 1800:u0a10142}}"
        out.append(f"  Window #{i} {title}:")
        out.append(
            f"    mDisplayId=0 rootTaskId={root} mSession={session} mClient=android.os.BinderProxy@{_hash('c', i)}"
        )
        shown = "true" if i <= 2 else "false"  # the bars and the top app have surfaces
        out.append(f"    mHasSurface={shown} isReadyForDisplay()={shown} mWindowRemovalAllowed=false")
    out += ["", focus(tasks[0] if tasks else None, width, height)]
    return "\n".join(out)


def focus(top: TaskView | None, width: int, height: int) -> str:
    """The global focus lines WindowManager prints after its window list."""
    lines = [
        f"  mGlobalConfiguration={_config(width, height, 'undefined')}",
        "  mHasPermanentDpad=false",
        "  mTopFocusedDisplayId=0",
    ]
    if top is not None:
        lines += [f"  mCurrentFocus={window(top)}", f"  mFocusedApp={record(top)}"]
    return "\n".join(lines) + "\n"


def display(width: int, height: int, density: int, orientation: int = 0) -> str:
    """``dumpsys display``: the viewport line first, then the device and logical display."""
    frame = f"Rect(0, 0 - {width}, {height})"
    viewport = (
        f"DisplayViewport{{type=INTERNAL, valid=true, isActive=true, displayId=0, uniqueId='{DISPLAY_ID}', "
        f"physicalPort=0, orientation={orientation}, logicalFrame={frame}, physicalFrame={frame}, "
        f"deviceWidth={width}, deviceHeight={height}}}"
    )
    device = (
        f'DisplayDeviceInfo{{"Built-in Screen": uniqueId="{DISPLAY_ID}", {width} x {height}, modeId 1, '
        f"renderFrameRate 60.0, defaultModeId 1, supportedModes [{{id=1, width={width}, height={height}, "
        f"fps=60.0}}], density {density}, {density}.0 x {density}.0 dpi, appVsyncOff 1000000, "
        f"presDeadline 16666666, touch INTERNAL, rotation {orientation}, type INTERNAL, state ON, "
        "FLAG_DEFAULT_DISPLAY, FLAG_ROTATES_WITH_CONTENT}"
    )
    info = (
        f'DisplayInfo{{"Built-in Screen", displayId 0, displayGroupId 0, FLAG_SECURE, '
        f"FLAG_SUPPORTS_PROTECTED_BUFFERS, FLAG_TRUSTED, real {width} x {height}, largest app {width} x {height}, "
        f"smallest app {width} x {height}, appVsyncOff 1000000, presDeadline 16666666, mode 1, defaultMode 1, "
        f"rotation {orientation}, density {density} ({density}.0 x {density}.0) dpi, layerStack 0, type INTERNAL, "
        f'address {{port=0, model=0x0}}, state ON, uniqueId "{DISPLAY_ID}"}}'
    )
    lines = [
        "DISPLAY MANAGER (dumpsys display)",
        "  mOnlyCore=false",
        "  mSafeMode=false",
        "  mPendingTraversal=false",
        f"  mViewports=[{viewport}]",
        "",
        "Display Devices: size=1",
        f"  {device}",
        "",
        "Logical Displays: size=1",
        "  Display 0:",
        "    mDisplayId=0",
        "    mLayerStack=0",
        f"    mBaseDisplayInfo={info}",
    ]
    return "\n".join(lines) + "\n"
