#!/usr/bin/env bash
# Regenerates the committed *.pb.swift files of each target from Protos/*.proto. Run by hand after editing a
# .proto; CI never runs it (the generated files are committed). Needs protoc (Debian:
# protobuf-compiler) and protoc-gen-swift 1.39 on PATH, or PROTOC_GEN_SWIFT pointing at it
# (build it once with `swift build -c release --product protoc-gen-swift` in a swift-protobuf checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
plugin="${PROTOC_GEN_SWIFT:-$(command -v protoc-gen-swift || true)}"
[ -x "$plugin" ] || { echo "gen-protos: protoc-gen-swift not found (set PROTOC_GEN_SWIFT)" >&2; exit 1; }
command -v protoc >/dev/null || { echo "gen-protos: protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }
# Each target gets the messages it uses, internal to it. record.proto refers to keys.proto's
# PublicKey, so Protocols has its own copy of keys.pb.swift beside Identity's.
gen() {
  local out=$1; shift
  rm -f "$out"/*.pb.swift
  protoc --plugin=protoc-gen-swift="$plugin" -I Protos \
    --swift_out="$out" --swift_opt=Visibility=Internal --swift_opt=FileNaming=DropPath "$@"
  echo "gen-protos: wrote $(ls "$out"/*.pb.swift | wc -l) files to $out"
}
gen Sources/Identity Protos/keys.proto
gen Sources/Security/Noise Protos/noise.proto
mkdir -p Sources/Protocols/Protobuf
gen Sources/Protocols/Protobuf Protos/keys.proto Protos/identify.proto Protos/record.proto
