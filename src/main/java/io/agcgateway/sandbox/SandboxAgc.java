package io.agcgateway.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The emulated AGC authorization server: clients, authorization codes, token families with Atlassian's
 * rotating refresh tokens, and bearer-token checks for the emulated API. State is in memory and every
 * mutation holds this object's lock, so concurrent refreshes of one token are decided one at a time,
 * as the real server does. No Camel here; {@link SandboxHttp} maps HTTP onto it.
 */
public final class SandboxAgc {
    public static final String AUDIENCE = "api.atlassian-us-gov-mod.com";
    /** RFC 6749 §4.1.2 recommends at most 10 minutes for an authorization code. */
    static final Duration CODE_TTL = Duration.ofMinutes(10);
    /** Atlassian: a refresh token unused for 90 days expires; a family dies 365 days after consent. */
    static final Duration IDLE_LIMIT = Duration.ofDays(90);
    static final Duration ABSOLUTE_LIMIT = Duration.ofDays(365);

    public record Client(String clientId, String clientSecret, Set<String> redirectUris) {
    }

    public record Site(String id, String name, String url, String avatarUrl) {
    }

    /** acme-test comes first on purpose: "first site" and "subdomain acme" must give different answers. */
    public static final List<Site> SITES = List.of(
            new Site("7d3c9a5e-2b1f-4e8a-9c6d-0a1b2c3d4e5f", "acme-test", "https://acme-test.atlassian-us-gov-mod.net",
                    "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/rocket.png"),
            new Site("4f8e2d1c-6b5a-4c3d-8e9f-1a2b3c4d5e6f", "acme", "https://acme.atlassian-us-gov-mod.net",
                    "https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png"));

    /** A checked /authorize request; {@code scopes} in request order. */
    public record AuthorizeRequest(String clientId, String redirectUri, List<String> scopes, String state,
                                   String codeChallenge, String codeChallengeMethod) {
    }

    /** A token endpoint answer; {@code refreshToken} is null when offline_access was not granted. */
    public record TokenPair(String accessToken, String refreshToken, long expiresIn, String scope, String familyId) {
        public Map<String, Object> body() {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("access_token", accessToken);
            if (refreshToken != null) {
                b.put("refresh_token", refreshToken);
            }
            b.put("expires_in", expiresIn);
            b.put("token_type", "Bearer");
            b.put("scope", scope);
            return b;
        }
    }

    /** What a valid access token grants. */
    public record Grant(String familyId, String clientId, List<String> scopes) {
    }

    /** An OAuth error answer of the token endpoint, in Atlassian's {error, error_description} shape. */
    public static final class OAuthError extends RuntimeException {
        private final int status;
        private final String error;

        OAuthError(int status, String error, String description) {
            super(description, null, false, false);
            this.status = status;
            this.error = error;
        }

        public int status() {
            return status;
        }

        public String error() {
            return error;
        }

        public Map<String, Object> body() {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("error", error);
            b.put("error_description", getMessage());
            return b;
        }
    }

    /** A bad /authorize request: Atlassian shows an error page instead of redirecting (unsafe to redirect). */
    public static final class AuthorizeError extends RuntimeException {
        AuthorizeError(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Code {
        final AuthorizeRequest request;
        final Instant issuedAt;
        boolean used;
        String familyId;

        Code(AuthorizeRequest request, Instant issuedAt) {
            this.request = request;
            this.issuedAt = issuedAt;
        }
    }

    private static final class Family {
        final String id;
        final String clientId;
        final List<String> scopes;
        final Instant consentedAt;
        boolean revoked;

        Family(String id, String clientId, List<String> scopes, Instant consentedAt) {
            this.id = id;
            this.clientId = clientId;
            this.scopes = scopes;
            this.consentedAt = consentedAt;
        }
    }

    private static final class RefreshToken {
        final Family family;
        final Instant issuedAt;
        Instant rotatedAt;

        RefreshToken(Family family, Instant issuedAt) {
            this.family = family;
            this.issuedAt = issuedAt;
        }
    }

    private record AccessToken(Family family, Instant expiresAt) {
    }

    private final Clock clock;
    private final Duration tokenLifetime;
    private final Duration reuseWindow;
    private final SandboxFaults faults;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Client> clients = new ConcurrentHashMap<>();
    private final Map<String, Code> codes = new HashMap<>();
    private final Map<String, Family> families = new HashMap<>();
    private final Map<String, RefreshToken> refreshTokens = new HashMap<>();
    private final Map<String, AccessToken> accessTokens = new HashMap<>();

    private static final int PURGE_EVERY = 4096;
    private long issued;
    private long codesIssued;
    private long codeExchanges;
    private long codeExchangeAttempts;
    private long refreshCalls;
    private long refreshSuccesses;
    private final Map<String, Long> refreshPerFamily = new LinkedHashMap<>();
    private long revokedFamilies;
    private long apiCalls;
    private long injectedFaults;

    public SandboxAgc(Clock clock, Duration tokenLifetime, Duration reuseWindow, SandboxFaults faults) {
        this.clock = clock;
        this.tokenLifetime = tokenLifetime;
        this.reuseWindow = reuseWindow;
        this.faults = faults;
    }

    // ---- clients ----

    /** Registers (or replaces) an OAuth app; Atlassian allows exactly the registered callback URLs. */
    public void registerClient(String clientId, String clientSecret, Collection<String> redirectUris) {
        clients.put(clientId, new Client(clientId, clientSecret, Set.copyOf(redirectUris)));
    }

    public Optional<Client> client(String clientId) {
        return Optional.ofNullable(clientId == null ? null : clients.get(clientId));
    }

    // ---- authorize ----

    /** Checks an /authorize query the way Atlassian does before showing consent; throws AuthorizeError. */
    public AuthorizeRequest checkAuthorize(Map<String, String> q) {
        if (!"code".equals(q.get("response_type"))) {
            throw new AuthorizeError("response_type must be 'code' (the only response type Atlassian 3LO supports).");
        }
        Client c = client(q.get("client_id"))
                .orElseThrow(() -> new AuthorizeError("Unknown client_id. Use the client id of integration agc-sandbox."));
        String redirect = q.get("redirect_uri");
        if (redirect == null || !c.redirectUris().contains(redirect)) {
            throw new AuthorizeError("Callback URL mismatch. redirect_uri is not in the list of allowed callback URLs "
                    + c.redirectUris() + ".");
        }
        String audience = q.get("audience");
        // Atlassian accepts a missing audience but a wrong one would send AGC tokens to another cloud.
        if (audience != null && !AUDIENCE.equals(audience)) {
            throw new AuthorizeError("audience must be " + AUDIENCE + " for Atlassian Government Cloud.");
        }
        List<String> scopes = splitScopes(q.get("scope"));
        if (scopes.isEmpty()) {
            throw new AuthorizeError("scope is required (space-separated, e.g. 'read:jira-work offline_access').");
        }
        String challenge = blankToNull(q.get("code_challenge"));
        String method = blankToNull(q.get("code_challenge_method"));
        if (challenge != null) {
            method = method == null ? "plain" : method; // RFC 7636 §4.3: absent method means plain
            if (!method.equals("S256") && !method.equals("plain")) {
                throw new AuthorizeError("code_challenge_method must be S256 or plain.");
            }
        }
        return new AuthorizeRequest(c.clientId(), redirect, scopes, q.get("state"), challenge, challenge == null ? null : method);
    }

    public synchronized String issueCode(AuthorizeRequest request) {
        String code = newToken("code");
        codes.put(code, new Code(request, clock.instant()));
        codesIssued++;
        return code;
    }

    // ---- token endpoint ----

    /** The token endpoint: {@code p} holds the body fields, with client credentials already merged in. */
    public TokenPair token(Map<String, String> p) {
        String grant = p.get("grant_type");
        if ("authorization_code".equals(grant)) {
            return exchangeCode(p.get("client_id"), p.get("client_secret"), p.get("code"), p.get("redirect_uri"), p.get("code_verifier"));
        }
        if ("refresh_token".equals(grant)) {
            return refresh(p.get("client_id"), p.get("client_secret"), p.get("refresh_token"));
        }
        if (grant == null || grant.isBlank()) {
            throw new OAuthError(400, "invalid_request", "Missing required parameter: grant_type");
        }
        throw new OAuthError(400, "unsupported_grant_type", "Unsupported grant type: " + grant);
    }

    public synchronized TokenPair exchangeCode(String clientId, String clientSecret, String code, String redirectUri, String verifier) {
        codeExchangeAttempts++;
        Client client = authenticate(clientId, clientSecret);
        if (code == null || code.isBlank()) {
            throw new OAuthError(400, "invalid_request", "Missing required parameter: code");
        }
        Code c = codes.get(code);
        Instant now = clock.instant();
        if (c == null || !c.request.clientId().equals(client.clientId())) {
            throw invalidCode();
        }
        if (c.used) {
            // RFC 6749 §4.1.2: a replayed code should revoke the tokens issued from it.
            if (c.familyId != null) {
                revoke(families.get(c.familyId));
            }
            throw invalidCode();
        }
        c.used = true;
        if (now.isAfter(c.issuedAt.plus(CODE_TTL))) {
            throw invalidCode();
        }
        // RFC 6749 §4.1.3: redirect_uri must be identical to the one of the authorization request.
        if (!c.request.redirectUri().equals(redirectUri)) {
            throw new OAuthError(403, "invalid_grant", "redirect_uri does not match the authorization request");
        }
        if (c.request.codeChallenge() != null && !pkceMatches(c.request, verifier)) {
            throw new OAuthError(403, "invalid_grant", "Invalid code_verifier");
        }
        Family f = new Family(newToken("fam"), client.clientId(), c.request.scopes(), now);
        families.put(f.id, f);
        c.familyId = f.id;
        codeExchanges++;
        return issue(f, now);
    }

    /**
     * Atlassian's rotating refresh tokens: each refresh disables the presented token and returns a new pair;
     * the disabled token still works for the reuse window (10 minutes), and reuse after it revokes every token
     * of the family ("Reuse of old tokens outside the leeway interval invalidates all refresh tokens").
     */
    public synchronized TokenPair refresh(String clientId, String clientSecret, String token) {
        refreshCalls++;
        Client client = authenticate(clientId, clientSecret);
        if (token == null || token.isBlank()) {
            throw new OAuthError(400, "invalid_request", "Missing required parameter: refresh_token");
        }
        RefreshToken rt = refreshTokens.get(token);
        if (rt == null || !rt.family.clientId.equals(client.clientId())) {
            throw unknownRefreshToken();
        }
        Family f = rt.family;
        refreshPerFamily.merge(f.id, 1L, Long::sum);
        Instant now = clock.instant();
        if (f.revoked || now.isAfter(rt.issuedAt.plus(IDLE_LIMIT)) || now.isAfter(f.consentedAt.plus(ABSOLUTE_LIMIT))) {
            throw unknownRefreshToken();
        }
        if (rt.rotatedAt != null && now.isAfter(rt.rotatedAt.plus(reuseWindow))) {
            revoke(f);
            throw new OAuthError(403, "unauthorized_client", "refresh_token is invalid");
        }
        if (rt.rotatedAt == null) {
            rt.rotatedAt = now;
        }
        refreshSuccesses++;
        return issue(f, now);
    }

    // ---- bearer tokens ----

    /**
     * The grant behind an access token, or empty when it is unknown, expired or its family was revoked.
     * An access token of a rotated-out pair stays valid until its own expiry unless the family is revoked.
     */
    public synchronized Optional<Grant> checkAccessToken(String token) {
        AccessToken at = token == null ? null : accessTokens.get(token);
        if (at == null || at.family.revoked || !clock.instant().isBefore(at.expiresAt)) {
            return Optional.empty();
        }
        return Optional.of(new Grant(at.family.id, at.family.clientId, at.family.scopes));
    }

    /** The family id of an access or refresh token, for tests that count refreshes per connection. */
    public synchronized Optional<String> familyOf(String token) {
        if (token == null) {
            return Optional.empty();
        }
        RefreshToken rt = refreshTokens.get(token);
        if (rt != null) {
            return Optional.of(rt.family.id);
        }
        AccessToken at = accessTokens.get(token);
        return at == null ? Optional.empty() : Optional.of(at.family.id);
    }

    /** Revokes a family as Atlassian does after a password change or a reuse outside the window. */
    public synchronized boolean revokeFamily(String familyId) {
        Family f = families.get(familyId);
        if (f == null || f.revoked) {
            return false;
        }
        revoke(f);
        return true;
    }

    public synchronized boolean isRevoked(String familyId) {
        Family f = families.get(familyId);
        return f != null && f.revoked;
    }

    // ---- counters and knobs ----

    public SandboxFaults faults() {
        return faults;
    }

    public synchronized SandboxStats stats() {
        return new SandboxStats(codesIssued, codeExchanges, codeExchangeAttempts, refreshCalls, refreshSuccesses,
                Map.copyOf(refreshPerFamily), revokedFamilies, apiCalls, injectedFaults);
    }

    /** Refresh grants received for the family of this token (0 when unknown). */
    public synchronized long refreshCallsFor(String token) {
        return familyOf(token).map(id -> refreshPerFamily.getOrDefault(id, 0L)).orElse(0L);
    }

    public synchronized void resetStats() {
        codesIssued = 0;
        codeExchanges = 0;
        codeExchangeAttempts = 0;
        refreshCalls = 0;
        refreshSuccesses = 0;
        refreshPerFamily.clear();
        revokedFamilies = 0;
        apiCalls = 0;
        injectedFaults = 0;
    }

    public Duration tokenLifetime() {
        return tokenLifetime;
    }

    public Duration reuseWindow() {
        return reuseWindow;
    }

    synchronized void countApiCall() {
        apiCalls++;
    }

    synchronized void countInjectedFault() {
        injectedFaults++;
    }

    // ---- internals ----

    private Client authenticate(String clientId, String clientSecret) {
        Client c = clientId == null ? null : clients.get(clientId);
        if (c == null || clientSecret == null || !MessageDigest.isEqual(
                clientSecret.getBytes(StandardCharsets.UTF_8), c.clientSecret().getBytes(StandardCharsets.UTF_8))) {
            throw new OAuthError(401, "access_denied", "Unauthorized");
        }
        return c;
    }

    private TokenPair issue(Family f, Instant now) {
        if (++issued % PURGE_EVERY == 0) {
            purgeExpired(now);
        }
        String access = newToken("at");
        accessTokens.put(access, new AccessToken(f, now.plus(tokenLifetime)));
        String refresh = null;
        // Atlassian returns a refresh token only when offline_access was granted.
        if (f.scopes.contains("offline_access")) {
            refresh = newToken("rt");
            refreshTokens.put(refresh, new RefreshToken(f, now));
        }
        return new TokenPair(access, refresh, tokenLifetime.toSeconds(), String.join(" ", f.scopes), f.id);
    }

    /**
     * Keeps long benchmark runs from growing without bound: expired access tokens and codes past their TTL answer
     * the same once forgotten. Refresh tokens stay, since a late reuse must still revoke its family.
     */
    private void purgeExpired(Instant now) {
        accessTokens.values().removeIf(at -> !now.isBefore(at.expiresAt()));
        codes.values().removeIf(c -> now.isAfter(c.issuedAt.plus(CODE_TTL)));
    }

    private void revoke(Family f) {
        if (f != null && !f.revoked) {
            f.revoked = true;
            revokedFamilies++;
        }
    }

    private static boolean pkceMatches(AuthorizeRequest r, String verifier) {
        if (verifier == null || verifier.isBlank()) {
            return false;
        }
        String expected = r.codeChallenge();
        String actual = "S256".equals(r.codeChallengeMethod()) ? s256(verifier) : verifier;
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), actual.getBytes(StandardCharsets.US_ASCII));
    }

    /** RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))) without padding. */
    public static String s256(String verifier) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static OAuthError invalidCode() {
        return new OAuthError(403, "invalid_grant", "Invalid authorization code");
    }

    private static OAuthError unknownRefreshToken() {
        return new OAuthError(403, "invalid_grant", "Unknown or invalid refresh token.");
    }

    private String newToken(String prefix) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return prefix + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static List<String> splitScopes(String scope) {
        if (scope == null) {
            return List.of();
        }
        return Arrays.stream(scope.trim().split("\\s+")).filter(s -> !s.isEmpty()).distinct().toList();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
