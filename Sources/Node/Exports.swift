// `import Node` brings every layer, as the UI and the CLI use them.
@_exported import Core
@_exported import Events
@_exported import Identity
@_exported import Mplex
@_exported import Multiformats
@_exported import Multistream
@_exported import Noise
@_exported import Protocols
@_exported import Resolve
@_exported import TCP
@_exported import TLS
@_exported import Upgrade
@_exported import WebSocket
@_exported import QUIC
@_exported import Yamux
