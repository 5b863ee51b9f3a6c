#ifndef PEERSCOPE_CNOISECHACHAPOLY_H
#define PEERSCOPE_CNOISECHACHAPOLY_H

#include <stddef.h>
#include <stdint.h>

// ChaCha20-Poly1305 with Noise's nonce (4 zero bytes || little-endian 64-bit counter) on caller-owned
// memory, so frames are sealed straight into the outbound buffer and opened straight into the inbound
// one. Backed by the BoringSSL copy that swift-crypto already links (its symbols carry the
// `CCryptoBoringSSL_` prefix); this header only exposes our own names.

#define PEERSCOPE_CHACHAPOLY_KEY_LENGTH 32
#define PEERSCOPE_CHACHAPOLY_TAG_LENGTH 16

typedef struct peerscope_chachapoly_key peerscope_chachapoly_key;

/// A key schedule for `key` (32 bytes); NULL only if allocation fails. Free with
/// `peerscope_chachapoly_key_free`.
peerscope_chachapoly_key *_Nullable peerscope_chachapoly_key_new(const uint8_t *_Nonnull key);

void peerscope_chachapoly_key_free(peerscope_chachapoly_key *_Nullable key);

/// Encrypts `plaintext_length` bytes and writes ciphertext || tag (plaintext_length + 16 bytes) to
/// `out`. `out` may equal `plaintext` but must not otherwise overlap it. Returns 1 on success.
int peerscope_chachapoly_seal(const peerscope_chachapoly_key *_Nonnull key, uint64_t counter,
                              const uint8_t *_Nullable associated_data, size_t associated_data_length,
                              const uint8_t *_Nullable plaintext, size_t plaintext_length,
                              uint8_t *_Nonnull out);

/// Authenticates ciphertext || tag (`sealed_length` >= 16 bytes) and writes the sealed_length - 16
/// plaintext bytes to `out`. `out` may equal `sealed` but must not otherwise overlap it. Returns 1 on
/// success, 0 when the tag does not match (then `out` holds no plaintext).
int peerscope_chachapoly_open(const peerscope_chachapoly_key *_Nonnull key, uint64_t counter,
                              const uint8_t *_Nullable associated_data, size_t associated_data_length,
                              const uint8_t *_Nonnull sealed, size_t sealed_length,
                              uint8_t *_Nullable out);

#endif
