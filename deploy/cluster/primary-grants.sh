#!/bin/bash
# Run once by the MariaDB image at the primary's first start (docker-entrypoint-initdb.d), after it
# created the app's user: lets that user read the replication status, so that the dashboard and
# `stats`, reading from the replica (DB_READ_HOST), can show its lag. Replicated with the user.
docker_process_sql <<<"GRANT REPLICA MONITOR ON *.* TO '${MARIADB_USER}'@'%';"
