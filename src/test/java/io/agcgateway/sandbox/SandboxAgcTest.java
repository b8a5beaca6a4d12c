package io.agcgateway.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SandboxAgcTest {
    static final String CLIENT = "agc-sandbox-client";
    static final String SECRET = "s3cret";
    static final String CALLBACK = "http://localhost:3003/oauth/callback";

    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-01T12:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    TestClock clock;
    SandboxAgc agc;

    @BeforeEach
    void setUp() {
        clock = new TestClock();
        agc = new SandboxAgc(clock, Duration.ofSeconds(3600), Duration.ofSeconds(600), SandboxFaults.none());
        agc.registerClient(CLIENT, SECRET, List.of(CALLBACK));
    }

    Map<String, String> authorizeQuery(String... extra) {
        Map<String, String> q = new HashMap<>(Map.of("response_type", "code", "client_id", CLIENT, "redirect_uri", CALLBACK,
                "scope", "read:jira-work read:jira-user offline_access", "state", "st-1", "audience", SandboxAgc.AUDIENCE));
        for (int i = 0; i < extra.length; i += 2) {
            q.put(extra[i], extra[i + 1]);
        }
        return q;
    }

    SandboxAgc.TokenPair connect() {
        String code = agc.issueCode(agc.checkAuthorize(authorizeQuery()));
        return agc.exchangeCode(CLIENT, SECRET, code, CALLBACK, null);
    }

    static SandboxAgc.OAuthError oauthError(Runnable r) {
        try {
            r.run();
        } catch (SandboxAgc.OAuthError e) {
            return e;
        }
        throw new AssertionError("expected an OAuth error");
    }

    @Test
    void code_exchange_returnsBearerPairWithScopes() {
        SandboxAgc.TokenPair p = connect();
        assertThat(p.accessToken()).startsWith("at_").hasSizeGreaterThan(40);
        assertThat(p.refreshToken()).startsWith("rt_");
        assertThat(p.body()).containsEntry("expires_in", 3600L).containsEntry("token_type", "Bearer")
                .containsEntry("scope", "read:jira-work read:jira-user offline_access");
        assertThat(agc.checkAccessToken(p.accessToken())).get().extracting(SandboxAgc.Grant::scopes)
                .isEqualTo(List.of("read:jira-work", "read:jira-user", "offline_access"));
        assertThat(agc.stats().codeExchanges()).isEqualTo(1);
    }

    @Test
    void code_withoutOfflineAccess_hasNoRefreshToken() {
        String code = agc.issueCode(agc.checkAuthorize(authorizeQuery("scope", "read:jira-work")));
        SandboxAgc.TokenPair p = agc.exchangeCode(CLIENT, SECRET, code, CALLBACK, null);
        assertThat(p.refreshToken()).isNull();
        assertThat(p.body()).doesNotContainKey("refresh_token");
    }

    @Test
    void code_replayed_isRejected() {
        String code = agc.issueCode(agc.checkAuthorize(authorizeQuery()));
        SandboxAgc.TokenPair first = agc.exchangeCode(CLIENT, SECRET, code, CALLBACK, null);
        SandboxAgc.OAuthError e = oauthError(() -> agc.exchangeCode(CLIENT, SECRET, code, CALLBACK, null));
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.body()).containsEntry("error", "invalid_grant");
        // RFC 6749 §4.1.2: the tokens issued from a replayed code are revoked.
        assertThat(agc.checkAccessToken(first.accessToken())).isEmpty();
    }

    @Test
    void code_afterTenMinutes_isRejected() {
        String code = agc.issueCode(agc.checkAuthorize(authorizeQuery()));
        clock.advance(Duration.ofMinutes(10).plusSeconds(1));
        assertThat(oauthError(() -> agc.exchangeCode(CLIENT, SECRET, code, CALLBACK, null)).error()).isEqualTo("invalid_grant");
    }

    @Test
    void code_wrongRedirectUri_isRejected() {
        String code = agc.issueCode(agc.checkAuthorize(authorizeQuery()));
        SandboxAgc.OAuthError e = oauthError(() -> agc.exchangeCode(CLIENT, SECRET, code, "http://evil.example/cb", null));
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.getMessage()).contains("redirect_uri");
    }

    @Test
    void code_badClientSecret_isAccessDenied() {
        String code = agc.issueCode(agc.checkAuthorize(authorizeQuery()));
        SandboxAgc.OAuthError e = oauthError(() -> agc.exchangeCode(CLIENT, "wrong", code, CALLBACK, null));
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.body()).isEqualTo(Map.of("error", "access_denied", "error_description", "Unauthorized"));
    }

    @Test
    void pkce_rightVerifier_isAccepted() {
        String verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assertThat(SandboxAgc.s256(verifier)).isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"); // RFC 7636 Appendix B
        String code = agc.issueCode(agc.checkAuthorize(authorizeQuery("code_challenge", SandboxAgc.s256(verifier),
                "code_challenge_method", "S256")));
        assertThat(agc.exchangeCode(CLIENT, SECRET, code, CALLBACK, verifier).accessToken()).isNotBlank();
    }

    @Test
    void pkce_wrongVerifier_isRejected() {
        String code = agc.issueCode(agc.checkAuthorize(authorizeQuery("code_challenge", SandboxAgc.s256("right-verifier-0123456789012345678901234"),
                "code_challenge_method", "S256")));
        SandboxAgc.OAuthError e = oauthError(() -> agc.exchangeCode(CLIENT, SECRET, code, CALLBACK, "wrong-verifier-0123456789012345678901234"));
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.getMessage()).isEqualTo("Invalid code_verifier");
    }

    @Test
    void pkce_missingVerifier_isRejected() {
        String code = agc.issueCode(agc.checkAuthorize(authorizeQuery("code_challenge", SandboxAgc.s256("v".repeat(43)),
                "code_challenge_method", "S256")));
        assertThat(oauthError(() -> agc.exchangeCode(CLIENT, SECRET, code, CALLBACK, null)).getMessage()).isEqualTo("Invalid code_verifier");
    }

    @Test
    void authorize_wrongAudienceOrRedirect_isRefused() {
        assertThatThrownBy(() -> agc.checkAuthorize(authorizeQuery("audience", "api.atlassian.com")))
                .isInstanceOf(SandboxAgc.AuthorizeError.class).hasMessageContaining("audience");
        assertThatThrownBy(() -> agc.checkAuthorize(authorizeQuery("redirect_uri", "http://evil.example/cb")))
                .isInstanceOf(SandboxAgc.AuthorizeError.class).hasMessageContaining("Callback URL mismatch");
        assertThatThrownBy(() -> agc.checkAuthorize(authorizeQuery("client_id", "nope")))
                .isInstanceOf(SandboxAgc.AuthorizeError.class).hasMessageContaining("client_id");
        assertThatThrownBy(() -> agc.checkAuthorize(authorizeQuery("response_type", "token")))
                .isInstanceOf(SandboxAgc.AuthorizeError.class).hasMessageContaining("response_type");
    }

    @Test
    void refresh_rotates_andOldAccessTokenStaysValidUntilExpiry() {
        SandboxAgc.TokenPair p0 = connect();
        SandboxAgc.TokenPair p1 = agc.refresh(CLIENT, SECRET, p0.refreshToken());
        assertThat(p1.refreshToken()).isNotEqualTo(p0.refreshToken());
        assertThat(p1.accessToken()).isNotEqualTo(p0.accessToken());
        assertThat(p1.familyId()).isEqualTo(p0.familyId());
        assertThat(agc.checkAccessToken(p0.accessToken())).isPresent();
        clock.advance(Duration.ofSeconds(3600));
        assertThat(agc.checkAccessToken(p0.accessToken())).isEmpty();
    }

    @Test
    void refresh_reuseInsideWindow_returnsNewPair() {
        SandboxAgc.TokenPair p0 = connect();
        SandboxAgc.TokenPair p1 = agc.refresh(CLIENT, SECRET, p0.refreshToken());
        clock.advance(Duration.ofSeconds(600)); // the window is inclusive: exactly 10 minutes still works
        SandboxAgc.TokenPair p2 = agc.refresh(CLIENT, SECRET, p0.refreshToken());
        assertThat(p2.refreshToken()).isNotIn(p0.refreshToken(), p1.refreshToken());
        assertThat(agc.checkAccessToken(p2.accessToken())).isPresent();
        assertThat(agc.refresh(CLIENT, SECRET, p1.refreshToken()).accessToken()).isNotBlank();
        assertThat(agc.stats().revokedFamilies()).isZero();
    }

    @Test
    void refresh_reuseAfterWindow_revokesFamily() {
        SandboxAgc.TokenPair p0 = connect();
        SandboxAgc.TokenPair p1 = agc.refresh(CLIENT, SECRET, p0.refreshToken());
        clock.advance(Duration.ofSeconds(601));
        SandboxAgc.OAuthError e = oauthError(() -> agc.refresh(CLIENT, SECRET, p0.refreshToken()));
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.body()).isEqualTo(Map.of("error", "unauthorized_client", "error_description", "refresh_token is invalid"));
        // the whole family dies: the newest refresh token and every access token
        assertThat(agc.checkAccessToken(p1.accessToken())).isEmpty();
        SandboxAgc.OAuthError again = oauthError(() -> agc.refresh(CLIENT, SECRET, p1.refreshToken()));
        assertThat(again.body()).isEqualTo(Map.of("error", "invalid_grant", "error_description", "Unknown or invalid refresh token."));
        assertThat(agc.isRevoked(p0.familyId())).isTrue();
        assertThat(agc.stats().revokedFamilies()).isEqualTo(1);
    }

    @Test
    void refresh_unknownToken_isInvalidGrant() {
        SandboxAgc.OAuthError e = oauthError(() -> agc.refresh(CLIENT, SECRET, "rt_nope"));
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.body()).containsEntry("error", "invalid_grant").containsEntry("error_description", "Unknown or invalid refresh token.");
    }

    @Test
    void refresh_badClientSecret_isAccessDenied() {
        SandboxAgc.TokenPair p0 = connect();
        assertThat(oauthError(() -> agc.refresh(CLIENT, "wrong", p0.refreshToken())).status()).isEqualTo(401);
        assertThat(agc.refresh(CLIENT, SECRET, p0.refreshToken()).accessToken()).isNotBlank(); // not consumed by the failure
    }

    @Test
    void refresh_idleFor90Days_isInvalidGrant() {
        SandboxAgc.TokenPair p0 = connect();
        clock.advance(Duration.ofDays(90).plusSeconds(1));
        assertThat(oauthError(() -> agc.refresh(CLIENT, SECRET, p0.refreshToken())).error()).isEqualTo("invalid_grant");
    }

    @Test
    void accessToken_expiresAfterLifetime() {
        SandboxAgc.TokenPair p0 = connect();
        clock.advance(Duration.ofSeconds(3599));
        assertThat(agc.checkAccessToken(p0.accessToken())).isPresent();
        clock.advance(Duration.ofSeconds(1));
        assertThat(agc.checkAccessToken(p0.accessToken())).isEmpty();
    }

    @Test
    void stats_countRefreshesPerFamily() {
        SandboxAgc.TokenPair a = connect();
        SandboxAgc.TokenPair b = connect();
        SandboxAgc.TokenPair a1 = agc.refresh(CLIENT, SECRET, a.refreshToken());
        agc.refresh(CLIENT, SECRET, a1.refreshToken());
        agc.refresh(CLIENT, SECRET, b.refreshToken());
        SandboxStats s = agc.stats();
        assertThat(s.refreshCalls()).isEqualTo(3);
        assertThat(s.refreshCallsPerFamily()).containsEntry(a.familyId(), 2L).containsEntry(b.familyId(), 1L);
        assertThat(agc.refreshCallsFor(a.accessToken())).isEqualTo(2);
        assertThat(s.authorizationCodesIssued()).isEqualTo(2);
        agc.resetStats();
        assertThat(agc.stats().refreshCalls()).isZero();
    }

    @Test
    void refresh_concurrentSameToken_allSucceedInsideWindow() throws Exception {
        SandboxAgc.TokenPair p0 = connect();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<SandboxAgc.TokenPair>> calls = java.util.Collections.nCopies(16, () -> agc.refresh(CLIENT, SECRET, p0.refreshToken()));
            for (Future<SandboxAgc.TokenPair> f : pool.invokeAll(calls)) {
                assertThat(f.get().refreshToken()).isNotEqualTo(p0.refreshToken());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(agc.stats().refreshSuccesses()).isEqualTo(16);
        assertThat(agc.stats().refreshCallsPerFamily()).containsEntry(p0.familyId(), 16L);
    }

    @Test
    void token_dispatchesOnGrantType() {
        Map<String, String> p = new HashMap<>(Map.of("grant_type", "password", "client_id", CLIENT, "client_secret", SECRET));
        assertThat(oauthError(() -> agc.token(p)).error()).isEqualTo("unsupported_grant_type");
        p.remove("grant_type");
        assertThat(oauthError(() -> agc.token(p)).error()).isEqualTo("invalid_request");
    }

    @Test
    void faults_oneShotKnobs_areConsumedInOrder() {
        SandboxFaults f = SandboxFaults.none();
        f.failNextApiCalls(1, 502).rateLimitNextApiCalls(1, 7).failNextTokenCalls(2, 500);
        assertThat(f.next(SandboxFaults.Target.API)).isEqualTo(new SandboxFaults.Fault(SandboxFaults.Fault.Kind.RATE_LIMIT, 429, 7));
        assertThat(f.next(SandboxFaults.Target.API).status()).isEqualTo(502);
        assertThat(f.next(SandboxFaults.Target.API)).isNull();
        assertThat(f.next(SandboxFaults.Target.TOKEN).status()).isEqualTo(500);
        assertThat(f.next(SandboxFaults.Target.TOKEN).status()).isEqualTo(500);
        assertThat(f.next(SandboxFaults.Target.TOKEN)).isNull();
        f.failEvery(3, 503);
        assertThat(f.next(SandboxFaults.Target.API)).isNull();
        assertThat(f.next(SandboxFaults.Target.TOKEN)).isNull();
        assertThat(f.next(SandboxFaults.Target.API).status()).isEqualTo(503);
        f.reset();
        assertThat(f.next(SandboxFaults.Target.API)).isNull();
    }
}
