/** The Foxglove WebSocket bridge on the embedded graph, and the built-in web view's server. */
export { FoxgloveBridge, FOXGLOVE_SUBPROTOCOL, DEFAULT_BRIDGE_ADDRESS, DEFAULT_BRIDGE_PORT, DEFAULT_CLIENT_PUBLISH_TOPICS } from "./server";
export type { BridgeOptions, BridgeClientStats } from "./server";
export { ClientSendQueue, DEFAULT_SEND_QUEUE_LIMITS, type SendQueueLimits, type SendQueueStats } from "./send-queue";
export { parameterName, splitParameterName, PARAMETER_SEPARATOR, type ParameterNode } from "./parameters";
export { ViewServer, DEFAULT_VIEW_PORT, findWebRoot, type ViewServerOptions } from "./view-server";
