package io.agcgateway.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class TokenCipherTest {
    private static byte[] key() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    @Test
    void roundTrip_returnsPlaintext_andStoresNoClearText() {
        TokenCipher c = new TokenCipher(key());
        String enc = c.encrypt("eyJ-secret-access-token", "access_token");
        assertThat(enc).startsWith("v1:" + c.keyId() + ":").doesNotContain("secret");
        assertThat(c.decrypt(enc, "access_token")).isEqualTo("eyJ-secret-access-token");
    }

    @Test
    void encrypt_usesRandomIv_soEqualPlaintextsDiffer() {
        TokenCipher c = new TokenCipher(key());
        assertThat(c.encrypt("same", "x")).isNotEqualTo(c.encrypt("same", "x"));
    }

    @Test
    void decrypt_withOtherKey_failsNamingBothKeyIds() {
        TokenCipher a = new TokenCipher(key());
        TokenCipher b = new TokenCipher(key());
        String enc = a.encrypt("token", "access_token");
        assertThatThrownBy(() -> b.decrypt(enc, "access_token"))
                .isInstanceOf(TokenCipher.WrongKeyException.class)
                .hasMessageContaining(a.keyId()).hasMessageContaining(b.keyId());
    }

    @Test
    void decrypt_ofTamperedValue_fails() {
        TokenCipher c = new TokenCipher(key());
        String enc = c.encrypt("token", "access_token");
        char last = enc.charAt(enc.length() - 2);
        String tampered = enc.substring(0, enc.length() - 2) + (last == 'A' ? 'B' : 'A') + enc.charAt(enc.length() - 1);
        assertThatThrownBy(() -> c.decrypt(tampered, "access_token")).isInstanceOf(TokenCipher.WrongKeyException.class);
    }

    @Test
    void decrypt_inAnotherContext_fails_soValuesCannotMoveBetweenColumns() {
        TokenCipher c = new TokenCipher(key());
        String enc = c.encrypt("token", "refresh_token");
        assertThatThrownBy(() -> c.decrypt(enc, "access_token")).isInstanceOf(TokenCipher.WrongKeyException.class);
    }

    @Test
    void nullStaysNull() {
        TokenCipher c = new TokenCipher(key());
        assertThat(c.encrypt(null, "x")).isNull();
        assertThat(c.decrypt(null, "x")).isNull();
    }

    @Test
    void shortKey_isRejected() {
        assertThatThrownBy(() -> new TokenCipher(new byte[16])).isInstanceOf(IllegalArgumentException.class);
    }
}
