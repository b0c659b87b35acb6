import type { ImageSpec } from './types.js';

const index = '<!DOCTYPE html><html><head><title>Apache Tomcat</title></head><body><h1>It works!</h1></body></html>\n';

export const tomcat: ImageSpec = {
  name: 'tomcat',
  description: 'Apache Tomcat with the application deployed under /acs/code, on port 8080',
  tags: ['latest', '9', '9.0', '10', '10.1', '10.1-jdk17', '11'],
  sizeBytes: 190_000_000,
  pullMs: 6_500,
  startupMs: 9_000,
  ports: [8080],
  http: { 8080: { '/': { status: 200, body: index, contentType: 'text/html' } } },
  notFound: { status: 404, body: '<!doctype html><html lang="en"><head><title>HTTP Status 404 – Not Found</title></head><body><h1>HTTP Status 404 – Not Found</h1></body></html>', contentType: 'text/html' },
  healthPaths: ['/'],
  unhealthyAnswer: { status: 503, body: '<!doctype html><html lang="en"><head><title>HTTP Status 503 – Service Unavailable</title></head></html>', contentType: 'text/html' },
  memoryMi: 380,
  startupLogs: [
    { text: 'NOTE: Picked up JDK_JAVA_OPTIONS:  --add-opens=java.base/java.lang=ALL-UNNAMED' },
    { text: 'INFO [main] org.apache.catalina.startup.VersionLoggerListener.log Server version name:   Apache Tomcat/10.1.34', atMs: 600 },
    { text: 'INFO [main] org.apache.coyote.AbstractProtocol.init Initializing ProtocolHandler ["http-nio-8080"]', atMs: 1_500 },
    { text: 'INFO [main] org.apache.catalina.core.StandardService.startInternal Starting service [Catalina]', atMs: 2_000 },
    { text: 'INFO [main] org.apache.catalina.startup.HostConfig.deployDirectory Deploying web application directory [/acs/code/ROOT]', atMs: 3_000 },
  ],
  readyLogs: [
    { text: 'INFO [main] org.apache.coyote.AbstractProtocol.start Starting ProtocolHandler ["http-nio-8080"]' },
    { text: 'INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [9000] milliseconds' },
  ],
  shutdownLogs: [
    { text: 'INFO [Thread-1] org.apache.coyote.AbstractProtocol.pause Pausing ProtocolHandler ["http-nio-8080"]' },
    { text: 'INFO [Thread-1] org.apache.catalina.core.StandardService.stopInternal Stopping service [Catalina]' },
  ],
  sigtermExitCode: 143,
  env: {
    PATH: '/usr/local/tomcat/bin:/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    CATALINA_HOME: '/usr/local/tomcat',
    JAVA_HOME: '/opt/java/openjdk',
    TOMCAT_VERSION: '10.1.34',
  },
  workingDir: '/usr/local/tomcat',
  command: ['catalina.sh', 'run'],
  logFile: '/usr/local/tomcat/logs/catalina.out',
  files: {
    '/acs/code/ROOT/index.html': index,
    '/acs/code/ROOT/WEB-INF/web.xml': '<?xml version="1.0" encoding="UTF-8"?>\n<web-app version="5.0"></web-app>\n',
    '/usr/local/tomcat/conf/server.xml': '<Server port="8005" shutdown="SHUTDOWN">\n  <Service name="Catalina">\n    <Connector port="8080" protocol="HTTP/1.1" />\n    <Engine name="Catalina" defaultHost="localhost">\n      <Host name="localhost" appBase="/acs/code" />\n    </Engine>\n  </Service>\n</Server>\n',
  },
};
