int nfmetrics_support_placeholder = 0;
