"""The machine's addresses on the local network, for a class whose phones join over Wi-Fi.

No Django here: settings.py reads it before Django is set up, and `python -m kumoben.lan PORT`
prints the URLs `make run` announces.
"""

from __future__ import annotations

import ipaddress
import socket
import sys

# Any routable address will do: connecting a UDP socket sends no packet, it only asks the kernel
# which local address would be used, which is the address of the interface with the default route.
_PROBE = ("10.255.255.255", 1)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_unspecified or ip.is_link_local or ip.is_multicast)


def _route_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(_PROBE)
            return str(probe.getsockname()[0])
    except OSError:
        return None


def _hostname_addresses(hostname: str) -> list[str]:
    try:
        infos = socket.getaddrinfo(hostname, None, socket.AF_INET, socket.SOCK_STREAM)
    except OSError:
        return []
    return [str(info[4][0]) for info in infos]


def lan_addresses() -> list[str]:
    """IPv4 addresses phones on the same network can reach, the default route's first."""
    found = [_route_address(), *_hostname_addresses(socket.gethostname())]
    addresses: list[str] = []
    for address in found:
        if address and _usable(address) and address not in addresses:
            addresses.append(address)
    return addresses


def lan_hosts() -> list[str]:
    """Host names and addresses the classroom server answers to besides loopback: each LAN
    address, the machine's name and its mDNS name (what phones type as `name.local`)."""
    name = socket.gethostname().strip().lower()
    hosts = list(lan_addresses())
    if name and name != "localhost":
        short = name.split(".")[0]
        for host in (name, f"{short}.local"):
            if host not in hosts:
                hosts.append(host)
    return hosts


def main(argv: list[str]) -> int:
    """Print where the server can be opened: `python -m kumoben.lan PORT [HOST]`."""
    port = argv[1] if len(argv) > 1 else "8000"
    host = argv[2] if len(argv) > 2 else "0.0.0.0"
    if host not in ("0.0.0.0", "::", ""):
        print(f"  Listening on http://{host}:{port}/ only (HOST=0.0.0.0 lets phones join)")
        return 0
    print(f"  On this machine:          http://127.0.0.1:{port}/")
    addresses = lan_addresses()
    for address in addresses:
        print(f"  Phones on the same Wi-Fi: http://{address}:{port}/")
    if not addresses:
        print("  No network address found: phones cannot reach this machine yet.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
