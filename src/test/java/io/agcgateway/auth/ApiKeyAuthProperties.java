package io.agcgateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agcgateway.http.GatewayException;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The secret-key check runs on every proxied call, so its UUID v4 shape check is a hand-written loop rather than the
 * regex it replaced. The regex stays here as the oracle: both must agree on any string, near misses above all.
 */
class ApiKeyAuthProperties {
    private static final Pattern UUID_V4 =
            Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", Pattern.CASE_INSENSITIVE);
    private static final String SECRET = "0b3c6a1e-9d2f-4c55-8a7e-3f1d2c4b5a69";
    private final ApiKeyAuth auth = new ApiKeyAuth(SECRET);

    @Property(tries = 3000)
    void uuidShape_agreesWithTheRegex(@ForAll("nearUuids") String s) {
        assertThat(ApiKeyAuth.isUuidV4(s)).as(s).isEqualTo(UUID_V4.matcher(s).matches());
    }

    @Provide
    Arbitrary<String> nearUuids() {
        // a random v4 UUID with one character replaced, inserted or removed, or left alone; sometimes in upper case
        Arbitrary<String> uuid = Arbitraries.create(() -> UUID.randomUUID().toString());
        Arbitrary<Character> odd = Arbitraries.of('-', '4', '8', 'b', 'B', 'g', 'G', 'f', 'F', '0', ' ', '\u0000', '\uff10', '\u0664', 'é');
        return net.jqwik.api.Combinators.combine(uuid, Arbitraries.integers().between(0, 36), odd, Arbitraries.integers().between(0, 4),
                Arbitraries.of(true, false)).as((u, at, c, how, upper) -> {
                    String v = switch (how) {
                        case 0 -> u.substring(0, at) + c + u.substring(Math.min(36, at + 1));
                        case 1 -> u.substring(0, at) + c + u.substring(at);
                        case 2 -> u.substring(0, Math.min(at, 35)) + u.substring(Math.min(at, 35) + 1);
                        default -> u;
                    };
                    return upper ? v.toUpperCase(Locale.ROOT) : v;
                });
    }

    @Example
    void theSecretKey_inAnyCase_withSpaces_passes() {
        auth.check("Bearer " + SECRET);
        auth.check("bearer  " + SECRET.toUpperCase(Locale.ROOT) + " ");
    }

    @Example
    void errors_keepNangosCodes() {
        assertCode(null, "missing_auth_header");
        assertCode("  ", "missing_auth_header");
        assertCode("Basic abc", "malformed_auth_header");
        assertCode("Bearer   ", "malformed_auth_header");
        assertCode("Bearer not-a-uuid", "invalid_secret_key_format");
        assertCode("Bearer " + SECRET.replace('4', '1'), "invalid_secret_key_format"); // version nibble
        assertCode("Bearer " + UUID.randomUUID(), "unknown_account");
        // one character off, at the start and at the end
        assertCode("Bearer 1" + SECRET.substring(1), "unknown_account");
        assertCode("Bearer " + SECRET.substring(0, 35) + "0", "unknown_account");
    }

    private void assertCode(String header, String code) {
        assertThatThrownBy(() -> auth.check(header)).isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.code()).isEqualTo(code);
        });
    }
}
