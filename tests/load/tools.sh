# SPDX-License-Identifier: MIT
# The mixed-tools jobs of the vm load test and the soak (sourced): each job is one sh -c
# command over the file `in` of the current directory, run natively once for the expected
# output and then under lxrun (translate or vm mode) many times.
TOOL_JOBS=6

# tool_input FILE [LINES]: lines of "number word word", the same for the same LINES
tool_input() {
	awk -v n="${2:-5000}" 'BEGIN { srand(7); split("lorem ipsum dolor sit amet consectetur adipiscing elit", w);
		for (i = 0; i < n; i++) print int(rand() * 100000), w[1 + int(rand() * 8)], w[1 + int(rand() * 8)] }' >"$1"
}

# tool_cmd K: the command of job K (0..TOOL_JOBS-1)
tool_cmd() {
	case $(($1 % TOOL_JOBS)) in
	0) echo 'grep -c lorem in; grep -v ipsum in | wc -l; grep -E "^[0-9]{5} (sit|amet)" in | tail -3' ;;
	1) echo 'sed -e "s/[0-9][0-9]*/<&>/g" -e s/dolor/DOLOR/ in | sha256sum; sed -n "100,110p" in' ;;
	2) echo 'awk "{ s += \$1; n[\$3]++ } END { print s; for (k in n) print k, n[k] }" in | sort' ;;
	3) echo 'sort -k2,2 -k1,1n in | uniq -c -f1 | sort -rn | head -5' ;;
	4) echo 'sha256sum in; cut -d" " -f2 in | sort | uniq | tr a-z A-Z | paste -sd, -' ;;
	5) echo 't=$(mktemp) && sort -n in >"$t" && sha256sum <"$t" && wc -l <"$t" && rm "$t"' ;;
	esac
}
