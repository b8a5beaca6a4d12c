package io.agcgateway.publisher;

/** Carries a flow's final message to the node that holds its WebSocket (gateway.cluster=true). */
public interface Relay {
    /** Single node: the socket is here or nowhere. */
    Relay NONE = (wsClientId, message, type) -> false;

    /** @return true when the message was handed to the other nodes (not that one of them held the socket) */
    boolean send(String wsClientId, String message, String type);
}
