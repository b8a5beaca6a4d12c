package io.agcgateway.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for tokens and client secrets at rest (docs/ARCHITECTURE.md "Secrets").
 * Stored form: {@code v1:<keyId>:<base64url(iv | ciphertext | tag)>}; a fresh 96-bit IV per value (NIST SP 800-38D),
 * the key id lets a future key rotation tell which key wrote a value. The context string is bound as
 * associated data so a value cannot be moved to another column and still decrypt.
 */
public final class TokenCipher {

    private static final String PREFIX = "v1:";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;
    private final String keyId;
    private final SecureRandom random = new SecureRandom();

    public TokenCipher(byte[] rawKey) {
        if (rawKey == null || rawKey.length != 32) {
            throw new IllegalArgumentException("AES-256 needs a 32-byte key");
        }
        this.key = new SecretKeySpec(rawKey.clone(), "AES");
        this.keyId = keyIdOf(rawKey);
    }

    public static String keyIdOf(byte[] rawKey) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("agc-gateway key id".getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(rawKey), 0, 4);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String keyId() {
        return keyId;
    }

    public String encrypt(String plaintext, String context) {
        if (plaintext == null) {
            return null;
        }
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(iv.length + ct.length).put(iv).put(ct).array();
            return PREFIX + keyId + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encryption failed", e);
        }
    }

    /** @throws WrongKeyException when the value was written with another key or was tampered with */
    public String decrypt(String stored, String context) {
        if (stored == null) {
            return null;
        }
        String[] parts = stored.split(":", 3);
        if (parts.length != 3 || !stored.startsWith(PREFIX)) {
            throw new WrongKeyException("value is not in the v1 encrypted format");
        }
        if (!parts[1].equals(keyId)) {
            throw new WrongKeyException("value was encrypted with key id " + parts[1] + ", the configured key has id " + keyId);
        }
        try {
            byte[] in = Base64.getUrlDecoder().decode(parts[2]);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
            c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] pt = c.doFinal(in, IV_BYTES, in.length - IV_BYTES);
            return new String(pt, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new WrongKeyException("value does not decrypt with key id " + keyId + " (tampered or wrong key)");
        }
    }

    public static final class WrongKeyException extends RuntimeException {
        public WrongKeyException(String message) {
            super(message);
        }
    }
}
