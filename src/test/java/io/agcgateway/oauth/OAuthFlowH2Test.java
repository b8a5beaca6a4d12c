package io.agcgateway.oauth;

import io.agcgateway.support.TestGateway;

class OAuthFlowH2Test extends OAuthFlowContract {
    @Override
    TestGateway.Store store() {
        return TestGateway.Store.H2;
    }
}
