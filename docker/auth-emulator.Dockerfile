# syntax=docker/dockerfile:1
# The Firebase Auth emulator on its own: firebase-tools and nothing of the platform. The Auth
# emulator is written in JavaScript, so no Java. Built with ./docker as its context.

FROM node:20-bookworm-slim
# The version package-lock.json installs for the tests, so containers and tests use the same emulator.
ARG FIREBASE_TOOLS_VERSION=15.34.2
ENV CI=true \
    FIREBASE_CLI_DISABLE_UPDATE_CHECK=true \
    NO_UPDATE_NOTIFIER=1 \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false
RUN npm install --global --ignore-scripts "firebase-tools@${FIREBASE_TOOLS_VERSION}" && npm cache clean --force
# The CLI writes its debug log into the working directory while it runs, so the node user owns it.
RUN mkdir /emulator && chown node:node /emulator
WORKDIR /emulator
COPY firebase.json ./
USER node
EXPOSE 9099
CMD ["firebase", "emulators:start", "--only", "auth", "--project", "demo-wisp", "--config", "firebase.json"]
