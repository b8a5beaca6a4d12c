package io.agcgateway.refresh;

/** Whether a connection's token must be refreshed now, and why (a reason code for logs and metrics). */
public record RefreshDecision(Action action, String reason) {
    public enum Action { FRESH, DUE, BACKING_OFF, FAILED }

    public static RefreshDecision fresh(String reason) {
        return new RefreshDecision(Action.FRESH, reason);
    }

    public static RefreshDecision due(String reason) {
        return new RefreshDecision(Action.DUE, reason);
    }

    public static RefreshDecision backingOff(String reason) {
        return new RefreshDecision(Action.BACKING_OFF, reason);
    }

    public static RefreshDecision failed(String reason) {
        return new RefreshDecision(Action.FAILED, reason);
    }

    public boolean isDue() {
        return action == Action.DUE;
    }
}
