"""SonarQube's Web API: v1 actions (`/api/<controller>/<action>`, one module per controller)
and v2 resources (`/api/v2/...`, the `v2_` modules), with their JSON shapes in
`representations`."""
