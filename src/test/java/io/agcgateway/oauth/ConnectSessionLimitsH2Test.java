package io.agcgateway.oauth;

import io.agcgateway.support.TestGateway;

class ConnectSessionLimitsH2Test extends ConnectSessionLimitsContract {
    @Override
    TestGateway.Store store() {
        return TestGateway.Store.H2;
    }
}
