package io.agcgateway.sandbox;

import java.util.Map;

/**
 * Counters of the emulated AGC, for tests that assert how often the gateway called the provider
 * ("exactly one refresh at the provider"). Injected faults are counted apart and never reach the others.
 *
 * @param authorizationCodesIssued codes handed out by /authorize (approve or auto_approve)
 * @param codeExchanges            authorization_code grants that returned tokens
 * @param codeExchangeAttempts     authorization_code grants received, any outcome
 * @param refreshCalls             refresh_token grants received, any outcome
 * @param refreshSuccesses         refresh_token grants that returned a new pair
 * @param refreshCallsPerFamily    refresh_token grants per token family (only tokens the sandbox knows)
 * @param revokedFamilies          families revoked (reuse after the window, replayed code, {@code revokeFamily})
 * @param apiCalls                 accessible-resources and /ex/jira calls received, any outcome
 * @param injectedFaults           calls answered by a fault knob instead of the emulator
 */
public record SandboxStats(
        long authorizationCodesIssued,
        long codeExchanges,
        long codeExchangeAttempts,
        long refreshCalls,
        long refreshSuccesses,
        Map<String, Long> refreshCallsPerFamily,
        long revokedFamilies,
        long apiCalls,
        long injectedFaults) {
}
