package io.agcgateway.refresh;

/** Whether the refresh sweep refreshes a connection now, and why (a reason code for logs and metrics). */
public record SweepDecision(boolean refresh, String reason) {
    public static SweepDecision refresh(String reason) {
        return new SweepDecision(true, reason);
    }

    public static SweepDecision skip(String reason) {
        return new SweepDecision(false, reason);
    }
}
