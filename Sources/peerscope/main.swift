import Node

print("peerscope \(PeerscopeVersion.string)")
