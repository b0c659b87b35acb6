import type { ImageSpec } from './types.js';

export const springboot2: ImageSpec = {
  name: 'springboot2',
  description: 'A Spring Boot 2 application from /acs/code: the app on 8080, actuator health on 8081',
  tags: ['latest', '2.7', '2.7.18', '2.6'],
  sizeBytes: 260_000_000,
  pullMs: 8_000,
  startupMs: 18_000,
  ports: [8080, 8081],
  http: {
    8080: {
      '/': { status: 200, body: '{"service":"springboot2","status":"ok"}', contentType: 'application/json' },
      '/api/hello': { status: 200, body: '{"message":"Hello from Spring Boot"}', contentType: 'application/json' },
    },
    8081: {
      '/actuator/health': { status: 200, body: '{"status":"UP"}', contentType: 'application/vnd.spring-boot.actuator.v3+json' },
      '/actuator/health/liveness': { status: 200, body: '{"status":"UP"}', contentType: 'application/vnd.spring-boot.actuator.v3+json' },
      '/actuator/health/readiness': { status: 200, body: '{"status":"UP"}', contentType: 'application/vnd.spring-boot.actuator.v3+json' },
      '/actuator/info': { status: 200, body: '{}', contentType: 'application/json' },
    },
  },
  notFound: { status: 404, body: '{"timestamp":"2024-01-01T00:00:00.000+00:00","status":404,"error":"Not Found","path":"{path}"}', contentType: 'application/json' },
  healthPaths: ['/actuator/health', '/actuator/health/liveness', '/actuator/health/readiness'],
  unhealthyAnswer: { status: 503, body: '{"status":"DOWN"}', contentType: 'application/vnd.spring-boot.actuator.v3+json' },
  memoryMi: 420,
  startupLogs: [
    { text: '' },
    { text: '  .   ____          _            __ _ _' },
    { text: ' :: Spring Boot ::               (v2.7.18)' },
    { text: 'INFO 1 --- [           main] com.example.Application                  : Starting Application using Java 17.0.9 with PID 1 (/acs/code/app.jar started by root in /acs/code)', atMs: 500 },
    { text: 'INFO 1 --- [           main] com.example.Application                  : No active profile set, falling back to 1 default profile: "default"', atMs: 600 },
    { text: 'INFO 1 --- [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat initialized with port(s): 8080 (http)', atMs: 6_000 },
    { text: 'INFO 1 --- [           main] o.s.b.a.e.web.EndpointLinksResolver      : Exposing 2 endpoint(s) beneath base path \'/actuator\'', atMs: 14_000 },
  ],
  readyLogs: [
    { text: 'INFO 1 --- [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat started on port(s): 8080 (http) 8081 (http) with context path \'\'' },
    { text: 'INFO 1 --- [           main] com.example.Application                  : Started Application in 18.2 seconds (JVM running for 19.0)' },
  ],
  periodicLog: { everyMs: 60_000, text: 'INFO 1 --- [   scheduling-1] com.example.HeartbeatTask                : heartbeat ok' },
  shutdownLogs: [
    { text: 'INFO 1 --- [ionShutdownHook] o.s.b.w.e.tomcat.GracefulShutdown        : Commencing graceful shutdown. Waiting for active requests to complete' },
    { text: 'INFO 1 --- [tomcat-shutdown] o.s.b.w.e.tomcat.GracefulShutdown        : Graceful shutdown complete' },
  ],
  sigtermExitCode: 143,
  env: {
    PATH: '/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    JAVA_HOME: '/opt/java/openjdk',
    JAVA_VERSION: 'jdk-17.0.9+9',
    SERVER_PORT: '8080',
    MANAGEMENT_SERVER_PORT: '8081',
  },
  workingDir: '/acs/code',
  command: ['java', '-jar', '/acs/code/app.jar'],
  logFile: '/acs/code/logs/app.log',
  files: {
    '/acs/code/app.jar': '(binary jar, 48 MB)\n',
    '/acs/code/application.properties': 'server.port=8080\nmanagement.server.port=8081\nmanagement.endpoints.web.exposure.include=health,info\n',
  },
};
