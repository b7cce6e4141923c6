"""Battery: the kernel's current sign convention, charger state from dumpsys battery, drain."""

from __future__ import annotations

from android_suite.virtual.framework.battery import Battery
from tests.unit.virtual.framework.fakes import FakeClock, make, run


def test_current_sign_follows_the_charger() -> None:
    clock = FakeClock()
    load = [300.0]
    battery = Battery(clock, lambda: load[0], level=50.0)
    assert battery.current_ua() > 0  # USB attached at boot: charging, positive µA
    assert battery.sysfs()["status"]() == b"Charging\n"
    battery.unplug()
    discharging = battery.current_ua()
    assert discharging < 0
    assert battery.sysfs()["status"]() == b"Discharging\n"
    load[0] = 1500.0
    assert battery.current_ua() < discharging  # more load, more negative
    start = battery.level
    clock.now += 3600
    assert battery.level < start - 30  # about 1.7 A for an hour from a 4.5 Ah cell
    battery.reset()
    assert battery.current_ua() < 0  # a heavy load out-draws a 1.4 A USB charger, as on a phone
    load[0] = 300.0
    assert battery.current_ua() > 0


def test_dumpsys_battery_commands_and_uevent() -> None:
    fw, memory, _ = make()
    _, out, _ = run(fw, "dumpsys", "battery")
    values = dict(line.strip().split(": ", 1) for line in out.splitlines()[1:])
    assert values["USB powered"] == "true" and values["status"] == "2"
    assert run(fw, "dumpsys", "battery", "unplug")[0] == 0
    run(fw, "dumpsys", "battery", "set", "level", "42")
    _, out, _ = run(fw, "dumpsys", "battery")
    assert "(UPDATES STOPPED -- use 'reset' to restart)" in out
    assert "  USB powered: false\n" in out and "  level: 42\n" in out and "  status: 3\n" in out
    idle = int(fw.battery.sysfs()["current_now"]())
    memory.busy = 0.5  # reclaim keeps half the CPU busy
    busy = int(fw.battery.sysfs()["current_now"]())
    assert busy < idle < 0
    uevent = fw.battery.sysfs()["uevent"]().decode()
    assert "POWER_SUPPLY_STATUS=Discharging\n" in uevent
    assert int(uevent.split("POWER_SUPPLY_CURRENT_NOW=")[1].split()[0]) < 0
