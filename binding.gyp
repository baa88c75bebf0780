{
  "targets": [
    {
      "target_name": "floatip_net",
      "sources": ["agent/native/floatip_net.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
