package io.agcgateway.store;

import io.agcgateway.config.GatewaySettings;
import io.agcgateway.config.StartupException;
import io.agcgateway.crypto.TokenCipher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * The encryption key and the API secret key: taken from settings, or generated once and kept
 * (encryption key: a file in the data dir, H2 only; secret key: encrypted in the database).
 * A canary value proves at startup that the configured key is the one the database was written with.
 */
public final class KeyMaterial {
    private static final String CANARY = "agc-gateway canary";

    public final TokenCipher cipher;
    public final String secretKey;
    public final boolean secretKeyGenerated;

    private KeyMaterial(TokenCipher cipher, String secretKey, boolean generated) {
        this.cipher = cipher;
        this.secretKey = secretKey;
        this.secretKeyGenerated = generated;
    }

    public static KeyMaterial load(GatewaySettings settings, MetaStore meta) {
        byte[] key = settings.encryptionKey();
        if (key == null) {
            if (settings.isPostgres()) {
                throw new StartupException("setting gateway.encryption-key (env GATEWAY_ENCRYPTION_KEY) is required with PostgreSQL: "
                        + "generate one with `openssl rand -base64 32` and keep it safe (every node needs the same key)");
            }
            key = fileKey(settings.dataDir().resolve("encryption.key"));
        }
        TokenCipher cipher = new TokenCipher(key);
        String canary = meta.get("encryption_canary");
        if (canary == null) {
            meta.insert("encryption_canary", cipher.encrypt(CANARY, "canary"));
        } else {
            try {
                cipher.decrypt(canary, "canary");
            } catch (TokenCipher.WrongKeyException e) {
                throw new StartupException("setting gateway.encryption-key (env GATEWAY_ENCRYPTION_KEY) is not the key this database was "
                        + "encrypted with (" + e.getMessage() + "): restore the original key; nothing was changed");
            }
        }
        String secret = settings.secretKey();
        boolean generated = false;
        if (secret.isEmpty()) {
            String stored = meta.get("secret_key");
            if (stored != null) {
                secret = cipher.decrypt(stored, "secret_key");
            } else {
                secret = UUID.randomUUID().toString();
                meta.insert("secret_key", cipher.encrypt(secret, "secret_key"));
                generated = true;
            }
        }
        return new KeyMaterial(cipher, secret, generated);
    }

    private static byte[] fileKey(Path file) {
        try {
            if (Files.exists(file)) {
                byte[] key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
                if (key.length != 32) {
                    throw new StartupException("key file " + file + " is corrupt (not 32 bytes): restore it from backup");
                }
                return key;
            }
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.createDirectories(file.getParent());
            Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n", StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // non-POSIX file system: the data dir's own permissions protect it
            }
            return key;
        } catch (IOException | IllegalArgumentException e) {
            throw new StartupException("setting gateway.data-dir (env GATEWAY_DATA_DIR): cannot read or create " + file + ": " + e.getMessage());
        }
    }
}
