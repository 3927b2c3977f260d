
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'hsvc' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'hsvc'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'hsvc' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--resolv-conf', '--resolv-conf', [CompletionResultType]::ParameterName, 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for each try, e.g. 500ms, 2s')
            [CompletionResult]::new('--attempts', '--attempts', [CompletionResultType]::ParameterName, 'Tries per server before giving up')
            [CompletionResult]::new('--edns-size', '--edns-size', [CompletionResultType]::ParameterName, 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'Cluster domain [default: from the resolv.conf search list, else cluster.local]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment turns `auto` off)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod''s service account]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`''s http://127.0.0.1:8001 (no credentials are sent)')
            [CompletionResult]::new('--dns-service', '--dns-service', [CompletionResultType]::ParameterName, 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'Use TCP only (what `kubectl port-forward` carries)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('resolve', 'resolve', [CompletionResultType]::ParameterValue, 'Resolve a Service (or pod, SRV name, IP) into its pods')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('pick', 'pick', [CompletionResultType]::ParameterValue, 'Pick endpoints as a client-side balancer would (round-robin, weighted, hash, maglev)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Probe every pod behind a Service: which ones answer?')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Compare the pods of names, namespaces or DNS servers')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Re-resolve names and report pods as they come and go')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'An embedded cluster DNS and a guided tour of every command')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the headless Services of a namespace (-n) or of every one (-A), from the Kubernetes API')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check cluster DNS against the Kubernetes API: is every pod that should be in DNS there, and nothing else?')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hsvc;resolve' {
            [CompletionResult]::new('--resolver', '--resolver', [CompletionResultType]::ParameterName, 'Search rules to replay with --search')
            [CompletionResult]::new('--localdomain', '--localdomain', [CompletionResultType]::ParameterName, 'The pod''s LOCALDOMAIN (glibc): replaces the search list of resolv.conf [default: $LOCALDOMAIN when replaying /etc/resolv.conf]')
            [CompletionResult]::new('--res-options', '--res-options', [CompletionResultType]::ParameterName, 'The pod''s RES_OPTIONS (glibc): options applied after resolv.conf''s [default: $RES_OPTIONS when replaying /etc/resolv.conf]')
            [CompletionResult]::new('--port-name', '--port-name', [CompletionResultType]::ParameterName, 'Also ask _NAME._PROTO.SVC… to label the ports with their name and protocol')
            [CompletionResult]::new('--protocol', '--protocol', [CompletionResultType]::ParameterName, 'Protocol of --port-name')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Read the pods from cluster DNS or from the Kubernetes API')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--resolv-conf', '--resolv-conf', [CompletionResultType]::ParameterName, 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for each try, e.g. 500ms, 2s')
            [CompletionResult]::new('--attempts', '--attempts', [CompletionResultType]::ParameterName, 'Tries per server before giving up')
            [CompletionResult]::new('--edns-size', '--edns-size', [CompletionResultType]::ParameterName, 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'Cluster domain [default: from the resolv.conf search list, else cluster.local]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment turns `auto` off)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod''s service account]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`''s http://127.0.0.1:8001 (no credentials are sent)')
            [CompletionResult]::new('--dns-service', '--dns-service', [CompletionResultType]::ParameterName, 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Walk the resolv.conf search list with its ndots as a pod''s resolver would, asking each candidate (A+AAAA), and stop where it stops')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'List every query sent: name, type, server, transport, rcode, answers, latency')
            [CompletionResult]::new('--all-replicas', '--all-replicas', [CompletionResultType]::ParameterName, 'Ask every server on its own (with `--server kube`: every CoreDNS replica) and print each answer, instead of the first healthy one')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'Use TCP only (what `kubectl port-forward` carries)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hsvc;completions' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--resolv-conf', '--resolv-conf', [CompletionResultType]::ParameterName, 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for each try, e.g. 500ms, 2s')
            [CompletionResult]::new('--attempts', '--attempts', [CompletionResultType]::ParameterName, 'Tries per server before giving up')
            [CompletionResult]::new('--edns-size', '--edns-size', [CompletionResultType]::ParameterName, 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'Cluster domain [default: from the resolv.conf search list, else cluster.local]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment turns `auto` off)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod''s service account]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`''s http://127.0.0.1:8001 (no credentials are sent)')
            [CompletionResult]::new('--dns-service', '--dns-service', [CompletionResultType]::ParameterName, 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'Use TCP only (what `kubectl port-forward` carries)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hsvc;pick' {
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Read the pods from cluster DNS, or from the Kubernetes API: the endpoints CoreDNS should publish (ready, or ready unset), with the named ports of the EndpointSlices')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Picking policy [default: hash with --key/--keys-from/--simulate, else round-robin]')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Picking policy [default: hash with --key/--keys-from/--simulate, else round-robin]')
            [CompletionResult]::new('-k', '-k', [CompletionResultType]::ParameterName, 'A request key (hash, maglev) or a request (sequence policies); repeatable')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'A request key (hash, maglev) or a request (sequence policies); repeatable')
            [CompletionResult]::new('--keys-from', '--keys-from', [CompletionResultType]::ParameterName, 'Read keys from FILE (`-` for stdin), one per line, printing each pick as it goes')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Number of picks of a sequence policy when no key is given [default: 1]')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Number of picks of a sequence policy when no key is given [default: 1]')
            [CompletionResult]::new('--offset', '--offset', [CompletionResultType]::ParameterName, 'Start position of round-robin and weighted (picks already made)')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the random policy and of the keys --simulate samples [default: 0]')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Weight of one endpoint, IDENTITY=W (1..=65535); repeatable. Others weigh 1')
            [CompletionResult]::new('--weight', '--weight', [CompletionResultType]::ParameterName, 'Weight of one endpoint, IDENTITY=W (1..=65535); repeatable. Others weigh 1')
            [CompletionResult]::new('--identity', '--identity', [CompletionResultType]::ParameterName, 'What identifies an endpoint: its hostname when it has one (auto), its IP, or its hostname')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port printed with each pick [default: the Service''s only SRV port]')
            [CompletionResult]::new('--port-name', '--port-name', [CompletionResultType]::ParameterName, 'Print the port with this name (asks _NAME._PROTO.SVC…)')
            [CompletionResult]::new('--protocol', '--protocol', [CompletionResultType]::ParameterName, 'Protocol of --port-name')
            [CompletionResult]::new('--table-size', '--table-size', [CompletionResultType]::ParameterName, 'Maglev table size, a prime (at least the number of endpoints)')
            [CompletionResult]::new('--simulate', '--simulate', [CompletionResultType]::ParameterName, 'Report the distribution of N picks (sampled keys for hash policies) instead of picks')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--resolv-conf', '--resolv-conf', [CompletionResultType]::ParameterName, 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for each try, e.g. 500ms, 2s')
            [CompletionResult]::new('--attempts', '--attempts', [CompletionResultType]::ParameterName, 'Tries per server before giving up')
            [CompletionResult]::new('--edns-size', '--edns-size', [CompletionResultType]::ParameterName, 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'Cluster domain [default: from the resolv.conf search list, else cluster.local]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment turns `auto` off)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod''s service account]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`''s http://127.0.0.1:8001 (no credentials are sent)')
            [CompletionResult]::new('--dns-service', '--dns-service', [CompletionResultType]::ParameterName, 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]')
            [CompletionResult]::new('--allow-cluster-ip', '--allow-cluster-ip', [CompletionResultType]::ParameterName, 'Go on even when NAME is a ClusterIP Service (DNS then gives kube-proxy''s virtual IP, not pods: there is nothing to balance over)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'With --keys-from: keep running, re-resolve at the TTL in the background and apply set changes between keys')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'Use TCP only (what `kubectl port-forward` carries)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hsvc;check' {
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Read the pods from cluster DNS, or from the Kubernetes API: the endpoints CoreDNS should publish (ready, or ready unset), with the named ports of the EndpointSlices')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Port to probe on every pod [default: every port from SRV]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port to probe on every pod [default: every port from SRV]')
            [CompletionResult]::new('--port-name', '--port-name', [CompletionResultType]::ParameterName, 'Probe only the Service port with this name (asks _NAME._tcp.SVC…)')
            [CompletionResult]::new('--http', '--http', [CompletionResultType]::ParameterName, 'Send `GET PATH HTTP/1.1` and judge the status instead of a bare TCP connect')
            [CompletionResult]::new('--expect', '--expect', [CompletionResultType]::ParameterName, 'Healthy HTTP statuses with --http: classes, codes and ranges, e.g. 2xx,301 or 200-399')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Probes in flight at once')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Probes in flight at once')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Time to wait for each TCP connect, e.g. 1s, 300ms')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Time for each whole HTTP exchange (connect included) with --http')
            [CompletionResult]::new('--repeat', '--repeat', [CompletionResultType]::ParameterName, 'Rounds to run; after the first, only state changes are reported')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Pause between the starts of two rounds with --repeat')
            [CompletionResult]::new('--min-healthy', '--min-healthy', [CompletionResultType]::ParameterName, 'Healthy targets needed for exit 0: a count N or a share P% [default: 100%]')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--resolv-conf', '--resolv-conf', [CompletionResultType]::ParameterName, 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for each try, e.g. 500ms, 2s')
            [CompletionResult]::new('--attempts', '--attempts', [CompletionResultType]::ParameterName, 'Tries per server before giving up')
            [CompletionResult]::new('--edns-size', '--edns-size', [CompletionResultType]::ParameterName, 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'Cluster domain [default: from the resolv.conf search list, else cluster.local]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment turns `auto` off)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod''s service account]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`''s http://127.0.0.1:8001 (no credentials are sent)')
            [CompletionResult]::new('--dns-service', '--dns-service', [CompletionResultType]::ParameterName, 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]')
            [CompletionResult]::new('--allow-cluster-ip', '--allow-cluster-ip', [CompletionResultType]::ParameterName, 'Go on even when NAME is a ClusterIP Service (DNS then gives kube-proxy''s virtual IP, not pods: there is nothing to balance over)')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'Use TCP only (what `kubectl port-forward` carries)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hsvc;diff' {
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'What makes two endpoints the same one')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--resolv-conf', '--resolv-conf', [CompletionResultType]::ParameterName, 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for each try, e.g. 500ms, 2s')
            [CompletionResult]::new('--attempts', '--attempts', [CompletionResultType]::ParameterName, 'Tries per server before giving up')
            [CompletionResult]::new('--edns-size', '--edns-size', [CompletionResultType]::ParameterName, 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'Cluster domain [default: from the resolv.conf search list, else cluster.local]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment turns `auto` off)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod''s service account]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`''s http://127.0.0.1:8001 (no credentials are sent)')
            [CompletionResult]::new('--dns-service', '--dns-service', [CompletionResultType]::ParameterName, 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]')
            [CompletionResult]::new('--ignore-ttl', '--ignore-ttl', [CompletionResultType]::ParameterName, 'Do not report TTL differences (e.g. behind a cache)')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'Use TCP only (what `kubectl port-forward` carries)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hsvc;watch' {
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between resolutions of a source [default: the answer''s TTL, at least 1s; 5s without one]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Stop after N resolutions of every source')
            [CompletionResult]::new('--count', '--count', [CompletionResultType]::ParameterName, 'Stop after N resolutions of every source')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long, e.g. 90s, 1h')
            [CompletionResult]::new('--by', '--by', [CompletionResultType]::ParameterName, 'What makes two endpoints the same one')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Watch cluster DNS (polled at the TTL), the Kubernetes API (a real watch: list, then events), or both on one timeline: every DNS server polled (each --interval, default 1s) with how long after the API change it answered what the API says it should (the propagation lag)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--resolv-conf', '--resolv-conf', [CompletionResultType]::ParameterName, 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for each try, e.g. 500ms, 2s')
            [CompletionResult]::new('--attempts', '--attempts', [CompletionResultType]::ParameterName, 'Tries per server before giving up')
            [CompletionResult]::new('--edns-size', '--edns-size', [CompletionResultType]::ParameterName, 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'Cluster domain [default: from the resolv.conf search list, else cluster.local]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment turns `auto` off)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod''s service account]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`''s http://127.0.0.1:8001 (no credentials are sent)')
            [CompletionResult]::new('--dns-service', '--dns-service', [CompletionResultType]::ParameterName, 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]')
            [CompletionResult]::new('--ignore-ttl', '--ignore-ttl', [CompletionResultType]::ParameterName, 'Do not report TTL changes (e.g. behind a cache that counts down)')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'Use TCP only (what `kubectl port-forward` carries)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hsvc;demo' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address of the cluster DNS (UDP and TCP), answering as the kube-dns Service would; each CoreDNS replica listens on the same port at its pod address (127.244.0.2, 127.244.0.3)')
            [CompletionResult]::new('--api-port', '--api-port', [CompletionResultType]::ParameterName, 'Port of the Kubernetes API (HTTPS with a bearer token, at the address of --listen; the written kubeconfig points at it)')
            [CompletionResult]::new('--proxy-port', '--proxy-port', [CompletionResultType]::ParameterName, 'Port of the plain-HTTP API, as `kubectl proxy` would serve it')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Folder for the kubeconfig and a pod''s resolv.conf that --serve writes (and removes when it stops) [default: TMPDIR/hsvc-demo]')
            [CompletionResult]::new('--zone', '--zone', [CompletionResultType]::ParameterName, 'Serve this RFC 1035 zone file (or several zones, each with its $ORIGIN and SOA) instead of the example cluster; implies --serve')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--resolv-conf', '--resolv-conf', [CompletionResultType]::ParameterName, 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for each try, e.g. 500ms, 2s')
            [CompletionResult]::new('--attempts', '--attempts', [CompletionResultType]::ParameterName, 'Tries per server before giving up')
            [CompletionResult]::new('--edns-size', '--edns-size', [CompletionResultType]::ParameterName, 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'Cluster domain [default: from the resolv.conf search list, else cluster.local]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment turns `auto` off)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod''s service account]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`''s http://127.0.0.1:8001 (no credentials are sent)')
            [CompletionResult]::new('--dns-service', '--dns-service', [CompletionResultType]::ParameterName, 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]')
            [CompletionResult]::new('--serve', '--serve', [CompletionResultType]::ParameterName, 'Only serve (until Ctrl-C)')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'Use TCP only (what `kubectl port-forward` carries)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hsvc;ls' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--resolv-conf', '--resolv-conf', [CompletionResultType]::ParameterName, 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for each try, e.g. 500ms, 2s')
            [CompletionResult]::new('--attempts', '--attempts', [CompletionResultType]::ParameterName, 'Tries per server before giving up')
            [CompletionResult]::new('--edns-size', '--edns-size', [CompletionResultType]::ParameterName, 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'Cluster domain [default: from the resolv.conf search list, else cluster.local]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment turns `auto` off)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod''s service account]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`''s http://127.0.0.1:8001 (no credentials are sent)')
            [CompletionResult]::new('--dns-service', '--dns-service', [CompletionResultType]::ParameterName, 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Every namespace (a ClusterRole must allow listing Services and EndpointSlices)')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Every namespace (a ClusterRole must allow listing Services and EndpointSlices)')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'Use TCP only (what `kubectl port-forward` carries)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hsvc;verify' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'DNS server to ask: IP, IP:PORT or [IPv6]:PORT; repeatable. `kube`: every CoreDNS replica through the Kubernetes API server')
            [CompletionResult]::new('--resolv-conf', '--resolv-conf', [CompletionResultType]::ParameterName, 'resolv.conf to read nameservers, search list and ndots from [default: /etc/resolv.conf]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Time to wait for each try, e.g. 500ms, 2s')
            [CompletionResult]::new('--attempts', '--attempts', [CompletionResultType]::ParameterName, 'Tries per server before giving up')
            [CompletionResult]::new('--edns-size', '--edns-size', [CompletionResultType]::ParameterName, 'EDNS0 UDP payload size to advertise; 0 sends no EDNS0 (512-byte UDP)')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'Cluster domain [default: from the resolv.conf search list, else cluster.local]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of short names [default: from the resolv.conf search list, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour (NO_COLOR in the environment turns `auto` off)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'kubeconfig of the Kubernetes API (`--source api`, `ls`, `verify`) [default: $KUBECONFIG, else ~/.kube/config, else the pod''s service account]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--api-url', '--api-url', [CompletionResultType]::ParameterName, 'A plain API URL instead of a kubeconfig, e.g. `kubectl proxy`''s http://127.0.0.1:8001 (no credentials are sent)')
            [CompletionResult]::new('--dns-service', '--dns-service', [CompletionResultType]::ParameterName, 'The cluster DNS Service whose pods `--server kube` asks, as NS/NAME [default: kube-system/kube-dns]')
            [CompletionResult]::new('--tcp', '--tcp', [CompletionResultType]::ParameterName, 'Use TCP only (what `kubectl port-forward` carries)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Diagnostics on stderr: -v settings and every query, -vv every try')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'hsvc;help' {
            [CompletionResult]::new('resolve', 'resolve', [CompletionResultType]::ParameterValue, 'Resolve a Service (or pod, SRV name, IP) into its pods')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish, powershell, elvish)')
            [CompletionResult]::new('pick', 'pick', [CompletionResultType]::ParameterValue, 'Pick endpoints as a client-side balancer would (round-robin, weighted, hash, maglev)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Probe every pod behind a Service: which ones answer?')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Compare the pods of names, namespaces or DNS servers')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Re-resolve names and report pods as they come and go')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'An embedded cluster DNS and a guided tour of every command')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the headless Services of a namespace (-n) or of every one (-A), from the Kubernetes API')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Check cluster DNS against the Kubernetes API: is every pod that should be in DNS there, and nothing else?')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'hsvc;help;resolve' {
            break
        }
        'hsvc;help;completions' {
            break
        }
        'hsvc;help;pick' {
            break
        }
        'hsvc;help;check' {
            break
        }
        'hsvc;help;diff' {
            break
        }
        'hsvc;help;watch' {
            break
        }
        'hsvc;help;demo' {
            break
        }
        'hsvc;help;ls' {
            break
        }
        'hsvc;help;verify' {
            break
        }
        'hsvc;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
