#include "CNoiseChaChaPoly.h"

#include <string.h>

// Prototypes of the BoringSSL functions we use, under the prefix swift-crypto builds them with.
// The types stay opaque here: we only pass the pointers BoringSSL hands us back to it.
struct evp_aead_st;
struct evp_aead_ctx_st;
extern const struct evp_aead_st *CCryptoBoringSSL_EVP_aead_chacha20_poly1305(void);
extern struct evp_aead_ctx_st *CCryptoBoringSSL_EVP_AEAD_CTX_new(const struct evp_aead_st *aead,
                                                                 const uint8_t *key, size_t key_len,
                                                                 size_t tag_len);
extern void CCryptoBoringSSL_EVP_AEAD_CTX_free(struct evp_aead_ctx_st *ctx);
extern int CCryptoBoringSSL_EVP_AEAD_CTX_seal(const struct evp_aead_ctx_st *ctx, uint8_t *out,
                                              size_t *out_len, size_t max_out_len,
                                              const uint8_t *nonce, size_t nonce_len,
                                              const uint8_t *in, size_t in_len,
                                              const uint8_t *ad, size_t ad_len);
extern int CCryptoBoringSSL_EVP_AEAD_CTX_open(const struct evp_aead_ctx_st *ctx, uint8_t *out,
                                              size_t *out_len, size_t max_out_len,
                                              const uint8_t *nonce, size_t nonce_len,
                                              const uint8_t *in, size_t in_len,
                                              const uint8_t *ad, size_t ad_len);

enum { NONCE_LENGTH = 12 };

static void noise_nonce(uint64_t counter, uint8_t nonce[NONCE_LENGTH]) {
    memset(nonce, 0, 4);
    for (int i = 0; i < 8; i++) {
        nonce[4 + i] = (uint8_t)(counter >> (8 * i));
    }
}

peerscope_chachapoly_key *peerscope_chachapoly_key_new(const uint8_t *key) {
    return (peerscope_chachapoly_key *)CCryptoBoringSSL_EVP_AEAD_CTX_new(
        CCryptoBoringSSL_EVP_aead_chacha20_poly1305(), key, PEERSCOPE_CHACHAPOLY_KEY_LENGTH,
        PEERSCOPE_CHACHAPOLY_TAG_LENGTH);
}

void peerscope_chachapoly_key_free(peerscope_chachapoly_key *key) {
    CCryptoBoringSSL_EVP_AEAD_CTX_free((struct evp_aead_ctx_st *)key);
}

int peerscope_chachapoly_seal(const peerscope_chachapoly_key *key, uint64_t counter,
                              const uint8_t *associated_data, size_t associated_data_length,
                              const uint8_t *plaintext, size_t plaintext_length, uint8_t *out) {
    uint8_t nonce[NONCE_LENGTH];
    noise_nonce(counter, nonce);
    size_t written = 0;
    // BoringSSL rejects a NULL pointer only when its length is non-zero; pass a valid one anyway.
    static const uint8_t empty = 0;
    int ok = CCryptoBoringSSL_EVP_AEAD_CTX_seal(
        (const struct evp_aead_ctx_st *)key, out, &written,
        plaintext_length + PEERSCOPE_CHACHAPOLY_TAG_LENGTH, nonce, NONCE_LENGTH,
        plaintext ? plaintext : &empty, plaintext_length,
        associated_data ? associated_data : &empty, associated_data_length);
    return ok == 1 && written == plaintext_length + PEERSCOPE_CHACHAPOLY_TAG_LENGTH;
}

int peerscope_chachapoly_open(const peerscope_chachapoly_key *key, uint64_t counter,
                              const uint8_t *associated_data, size_t associated_data_length,
                              const uint8_t *sealed, size_t sealed_length, uint8_t *out) {
    if (sealed_length < PEERSCOPE_CHACHAPOLY_TAG_LENGTH) {
        return 0;
    }
    uint8_t nonce[NONCE_LENGTH];
    noise_nonce(counter, nonce);
    size_t written = 0;
    uint8_t empty_out = 0;
    static const uint8_t empty = 0;
    size_t plaintext_length = sealed_length - PEERSCOPE_CHACHAPOLY_TAG_LENGTH;
    int ok = CCryptoBoringSSL_EVP_AEAD_CTX_open(
        (const struct evp_aead_ctx_st *)key, out ? out : &empty_out, &written, plaintext_length,
        nonce, NONCE_LENGTH, sealed, sealed_length,
        associated_data ? associated_data : &empty, associated_data_length);
    return ok == 1 && written == plaintext_length;
}
