"""Device farm: inventory, discovery, selection, leases, the health gate and the xdist pool.

Nothing here talks to a device except :mod:`discovery` and :mod:`health`
(through the Device layer); the inventory, selection and parsers are pure.
"""
